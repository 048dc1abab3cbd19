import assert from "node:assert/strict";
import { test } from "node:test";
import {
  addDays,
  dateOfDayNumber,
  dayNumber,
  formatHhmm,
  IST_OFFSET_MINUTES,
  isIsoDate,
  isoIst,
  istEpochMs,
  istPartsOf,
  parseHhmm,
  weekdayOf,
} from "../../src/domain/ist.js";

test("IST_OFFSET_MINUTES is +05:30 → 330", () => {
  assert.equal(IST_OFFSET_MINUTES, 330);
});

test("isoIst of a date and minute of day → ISO 8601 with +05:30", () => {
  assert.equal(isoIst("2025-09-05", 558), "2025-09-05T09:18:00+05:30");
  assert.equal(isoIst("2025-09-05", 0), "2025-09-05T00:00:00+05:30");
  assert.equal(isoIst("2025-12-31", 1439), "2025-12-31T23:59:00+05:30");
  assert.equal(isoIst("2025-09-04", 555), "2025-09-04T09:15:00+05:30");
});

test("isoIst output parsed by Date → the same instant as istEpochMs", () => {
  for (const [date, minute] of [
    ["2025-09-04", 555],
    ["2025-12-31", 1439],
    ["2026-01-01", 0],
  ] as const) {
    assert.equal(Date.parse(isoIst(date, minute)), istEpochMs(date, minute));
  }
});

test("formatHhmm of minutes → zero-padded HH:MM", () => {
  assert.equal(formatHhmm(0), "00:00");
  assert.equal(formatHhmm(555), "09:15");
  assert.equal(formatHhmm(915), "15:15");
  assert.equal(formatHhmm(930), "15:30");
  assert.equal(formatHhmm(1439), "23:59");
  assert.equal(formatHhmm(605), "10:05");
});

test("parseHhmm of valid times → minutes since midnight", () => {
  assert.equal(parseHhmm("00:00"), 0);
  assert.equal(parseHhmm("09:15"), 555);
  assert.equal(parseHhmm("15:15"), 915);
  assert.equal(parseHhmm("15:30"), 930);
  assert.equal(parseHhmm("23:59"), 1439);
  // A one-digit hour is accepted.
  assert.equal(parseHhmm("9:15"), 555);
});

test("parseHhmm of malformed or out-of-range text → throws naming the text", () => {
  for (const bad of [
    "24:00",
    "12:60",
    "99:99",
    "",
    "0915",
    "09:5",
    "09:15:00",
    " 09:15",
    "09:15 ",
    "ab:cd",
    "-1:00",
    "123:00",
    "09.15",
  ]) {
    assert.throws(
      () => parseHhmm(bad),
      (e: unknown) => e instanceof Error && e.message === `expected a time HH:MM, found "${bad}"`,
      `parseHhmm(${JSON.stringify(bad)}) should throw`,
    );
  }
});

test("parseHhmm then formatHhmm for every minute of the day → identity", () => {
  for (let m = 0; m < 1440; m++) assert.equal(parseHhmm(formatHhmm(m)), m);
});

test("istPartsOf an instant given in UTC → IST date, minute and second", () => {
  // 03:45 UTC = 09:15 IST.
  assert.deepEqual(istPartsOf(Date.UTC(2025, 8, 4, 3, 45, 0)), {
    date: "2025-09-04",
    minute: 555,
    second: 0,
  });
  // 18:29:59 UTC = 23:59:59 IST, same day.
  assert.deepEqual(istPartsOf(Date.UTC(2025, 8, 4, 18, 29, 59)), {
    date: "2025-09-04",
    minute: 1439,
    second: 59,
  });
  // 18:30 UTC = 00:00 IST of the next day.
  assert.deepEqual(istPartsOf(Date.UTC(2025, 8, 4, 18, 30, 0)), { date: "2025-09-05", minute: 0, second: 0 });
  // New year in IST while still 31 December in UTC; seconds and milliseconds kept apart.
  assert.deepEqual(istPartsOf(Date.UTC(2025, 11, 31, 18, 30, 15, 999)), {
    date: "2026-01-01",
    minute: 0,
    second: 15,
  });
  // 10:00 UTC = 15:30 IST.
  assert.deepEqual(istPartsOf(Date.UTC(2025, 8, 5, 10, 0, 42)), {
    date: "2025-09-05",
    minute: 930,
    second: 42,
  });
});

test("istPartsOf before 1970 → floors into the right day", () => {
  // 1969-12-31 18:29:59 UTC = 1969-12-31 23:59:59 IST (negative epoch).
  assert.deepEqual(istPartsOf(Date.UTC(1969, 11, 31, 18, 29, 59)), {
    date: "1969-12-31",
    minute: 1439,
    second: 59,
  });
  // Epoch 0 = 05:30 IST on 1970-01-01.
  assert.deepEqual(istPartsOf(0), { date: "1970-01-01", minute: 330, second: 0 });
});

test("istEpochMs of an IST date and minute → the UTC instant 05:30 earlier", () => {
  assert.equal(istEpochMs("2025-09-04", 555), Date.UTC(2025, 8, 4, 3, 45));
  assert.equal(istEpochMs("2026-01-01", 0), Date.UTC(2025, 11, 31, 18, 30));
  assert.equal(istEpochMs("1970-01-01", 330), 0);
});

test("istPartsOf(istEpochMs(d, m)) → d and m back, every 7 minutes over two days", () => {
  for (const date of ["2025-09-04", "2025-12-31", "2024-02-29"]) {
    for (let m = 0; m < 1440; m += 7) {
      assert.deepEqual(istPartsOf(istEpochMs(date, m)), { date, minute: m, second: 0 });
    }
  }
});

test("istPartsOf and istEpochMs with the host TZ changed → same results (local time unused)", () => {
  const saved = process.env.TZ;
  const instant = Date.UTC(2025, 8, 4, 20, 0, 5); // 01:30:05 IST on 5 September
  const localHours: number[] = [];
  try {
    for (const tz of ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati", "Pacific/Pago_Pago"]) {
      process.env.TZ = tz;
      // Proves the change of zone took effect for local-time functions …
      localHours.push(new Date(instant).getHours());
      // … while the IST helpers stay put.
      assert.deepEqual(istPartsOf(instant), { date: "2025-09-05", minute: 90, second: 5 }, tz);
      assert.equal(istEpochMs("2025-09-04", 555), Date.UTC(2025, 8, 4, 3, 45), tz);
      assert.equal(weekdayOf("2025-09-11"), 4, tz);
      assert.equal(addDays("2025-12-31", 1), "2026-01-01", tz);
    }
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
  assert.ok(new Set(localHours).size > 1, `local hours should differ across zones: ${localHours.join(",")}`);
});

test("weekdayOf known dates → 0 Sunday … 6 Saturday", () => {
  assert.equal(weekdayOf("1970-01-01"), 4); // Thursday
  assert.equal(weekdayOf("1969-12-31"), 3); // Wednesday, before the epoch
  assert.equal(weekdayOf("2025-09-11"), 4); // Thursday (weekly expiry)
  assert.equal(weekdayOf("2025-09-06"), 6); // Saturday
  assert.equal(weekdayOf("2025-09-07"), 0); // Sunday
  assert.equal(weekdayOf("2025-09-08"), 1); // Monday
  assert.equal(weekdayOf("2025-10-01"), 3); // Wednesday (holiday-moved expiry)
  assert.equal(weekdayOf("2025-10-02"), 4); // Thursday
  assert.equal(weekdayOf("2026-01-26"), 1); // Monday
  assert.equal(weekdayOf("2024-02-29"), 4); // Thursday
});

test("weekdayOf over 400 consecutive days → cycles 0..6 in order", () => {
  let d = "2025-09-07"; // Sunday
  for (let i = 0; i < 400; i++) {
    assert.equal(weekdayOf(d), i % 7, d);
    d = addDays(d, 1);
  }
});

test("addDays across month and year ends → the right calendar date", () => {
  assert.equal(addDays("2025-01-31", 1), "2025-02-01");
  assert.equal(addDays("2025-02-28", 1), "2025-03-01"); // 2025 is not a leap year
  assert.equal(addDays("2024-02-28", 1), "2024-02-29"); // 2024 is
  assert.equal(addDays("2024-02-29", 1), "2024-03-01");
  assert.equal(addDays("2025-03-01", -1), "2025-02-28");
  assert.equal(addDays("2025-04-30", 1), "2025-05-01");
  assert.equal(addDays("2025-12-31", 1), "2026-01-01");
  assert.equal(addDays("2026-01-01", -1), "2025-12-31");
  assert.equal(addDays("2025-09-04", 0), "2025-09-04");
  assert.equal(addDays("2025-09-04", 7), "2025-09-11");
  assert.equal(addDays("2025-01-01", 365), "2026-01-01");
  assert.equal(addDays("2024-01-01", 366), "2025-01-01");
  assert.equal(addDays("2025-09-01", -243), "2025-01-01"); // Jan..Aug hold 243 days
  assert.equal(addDays("1970-01-02", -2), "1969-12-31");
});

test("dayNumber and dateOfDayNumber → inverse, epoch day 0", () => {
  assert.equal(dayNumber("1970-01-01"), 0);
  assert.equal(dayNumber("1970-01-02"), 1);
  assert.equal(dayNumber("1969-12-31"), -1);
  assert.equal(dateOfDayNumber(dayNumber("2025-09-11")), "2025-09-11");
  assert.equal(dayNumber("2025-09-11") - dayNumber("2025-09-04"), 7);
});

test("isIsoDate → true only for real dates written YYYY-MM-DD", () => {
  for (const good of ["2025-09-04", "2024-02-29", "2025-12-31", "2000-02-29"])
    assert.equal(isIsoDate(good), true, good);
  for (const bad of [
    "2025-02-29",
    "1900-02-29",
    "2025-13-01",
    "2025-00-10",
    "2025-04-31",
    "2025-9-4",
    "2025/09/04",
    "2025-09-04T00:00",
    " 2025-09-04",
    "",
  ]) {
    assert.equal(isIsoDate(bad), false, bad);
  }
});
