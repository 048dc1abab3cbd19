/*
 * The page's only way to make elements: text goes in as text nodes (textContent), never as
 * HTML, so nothing the server sends can become markup or script.
 */

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  title?: string;
  attrs?: Record<string, string>;
}

/** Creates an element with a class, attributes and children (strings become text). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props?.class) el.className = props.class;
  if (props?.title) el.title = props.title;
  if (props?.attrs) for (const [k, v] of Object.entries(props.attrs)) el.setAttribute(k, v);
  append(el, children);
  return el;
}

/** Appends children (strings as text nodes). */
export function append(el: Element, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "number" ? String(c) : c);
  }
}

/** Replaces an element's content. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** The element with this id; throws when the page lacks it (a broken page should say so loudly). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

/** A definition list of label → value pairs, the cards' usual layout. */
export function facts(rows: ReadonlyArray<readonly [string, Child, string?]>): HTMLDListElement {
  const dl = h("dl", { class: "facts" });
  for (const [label, value, cls] of rows) {
    dl.append(h("dt", null, label), h("dd", cls ? { class: cls } : null, value));
  }
  return dl;
}
