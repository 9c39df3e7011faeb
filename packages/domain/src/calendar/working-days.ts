/** What makes a day a working day for an enterprise: its registry calendar, else Monday to Friday. */
export interface WorkingCalendar {
  /** Weekdays off: public holidays, a shutdown. YYYY-MM-DD, local. */
  daysOff?: readonly string[];
  /** Weekend days worked: the working days a holiday is moved to (调休), a weekend shift. YYYY-MM-DD, local. */
  workingDays?: readonly string[];
}

/**
 * Whether a local day (YYYY-MM-DD) is a working day: Monday to Friday, less the calendar's days
 * off, plus its working days. A day in both lists is a working day: moving a working day onto a
 * weekend is the rarer and deliberate entry.
 */
export function isWorkingDay(date: string, calendar: WorkingCalendar | undefined): boolean {
  if (calendar?.workingDays?.includes(date)) return true;
  if (calendar?.daysOff?.includes(date)) return false;
  const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}
