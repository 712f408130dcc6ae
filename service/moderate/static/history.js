// The history page: decision times shown in the reader's language and time zone.
"use strict";

(() => {
  const locale = document.documentElement.lang || undefined;
  const format = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  for (const time of document.querySelectorAll("time[datetime]")) {
    const when = new Date(time.getAttribute("datetime"));
    if (!Number.isNaN(when.getTime())) time.textContent = format.format(when);
  }
})();
