/**
 * The chat ids of `telegram_chat_id`: one, or several separated by commas or spaces. Each may
 * command the bot, and each receives every notification.
 */
export function parseChatIds(text: string): string[] {
  const ids = text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return [...new Set(ids)];
}
