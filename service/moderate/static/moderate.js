// The moderator queue: claim a batch, show it, decide with the keyboard (one card, or several
// marked with x or shift-click, in one action), undo within a grace period. Comment data is hostile: it is only ever inserted with textContent (never innerHTML),
// and links come pre-checked from the server (http(s) only).
"use strict";

(() => {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const M = data.messages;
  const queue = document.getElementById("queue");
  const template = document.getElementById("comment-template");
  const notice = document.getElementById("notice");
  const leaseLine = document.getElementById("lease");
  const empty = document.getElementById("empty");
  const help = document.getElementById("help");
  const bulk = document.getElementById("bulk");
  const bulkCount = document.getElementById("bulk-count");
  const bulkReason = document.getElementById("bulk-reason");
  const pending = new Map(); // comment id -> the decision (entry) waiting for its grace period
  const undoOrder = []; // entries of pending decisions, most recent last
  const marked = new Set(); // cards marked for one decision together
  let anchor = null; // the card a shift-click marks from
  let selected = null;
  let leaseDeadline = 0;
  let claiming = false;

  const numbers = new Intl.NumberFormat(data.locale, { maximumFractionDigits: 2, minimumFractionDigits: 2 });
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => String(values[key]));

  function waitedText(seconds) {
    if (seconds < 60) return M.waited_moments;
    const [value, unit] = seconds < 3600 ? [Math.round(seconds / 60), "minute"]
      : seconds < 172800 ? [Math.round(seconds / 3600), "hour"] : [Math.round(seconds / 86400), "day"];
    const amount = new Intl.NumberFormat(data.locale, { style: "unit", unit, unitDisplay: "long" }).format(value);
    return fill(M.waited, { time: amount });
  }

  function showNotice(text, withSignIn) {
    notice.replaceChildren(document.createTextNode(text));
    if (withSignIn) {
      const link = document.createElement("a");
      link.href = data.urls.sign_in;
      link.textContent = " →";
      notice.append(link);
    }
    notice.hidden = false;
  }

  function hideNotice() {
    notice.hidden = true;
    notice.replaceChildren();
  }

  async function call(url, method, body, keepalive) {
    const headers = { Accept: "application/json" };
    headers[data.csrf_header] = data.csrf_token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method, headers, keepalive: Boolean(keepalive), credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let payload = {};
    try { payload = await response.json(); } catch (error) { payload = {}; }
    return { ok: response.ok, status: response.status, payload };
  }

  function explain(result) {
    const code = result.payload && result.payload.error;
    if (code === "signed_out") showNotice(M.signed_out, true);
    else if (code === "csrf_failed") showNotice(M.csrf_failed);
    return M[code] || M.failed;
  }

  // -- rendering ---------------------------------------------------------------------------

  function render(comment) {
    const item = template.content.firstElementChild.cloneNode(true);
    item.dataset.id = comment.id;
    item.querySelector(".author").textContent = comment.author;
    const authorUrl = item.querySelector(".author-url");
    if (comment.author_url) authorUrl.textContent = comment.author_url; else authorUrl.remove();
    const postNumber = fill(M.post, { post: comment.post_id || "" });
    const postLabel = comment.post_title || postNumber;
    const link = item.querySelector("a.post");
    const plain = item.querySelector(".post-plain");
    if (comment.post_url) {
      link.href = comment.post_url;
      link.textContent = postLabel;
      link.title = comment.post_url;
      if (comment.post_title) link.dir = "auto";
      plain.remove();
    } else {
      link.remove();
      plain.textContent = postLabel;
      if (comment.post_title) plain.title = postNumber;
    }
    renderParent(item.querySelector(".parent"), comment.parent);
    item.querySelector(".site").textContent = comment.site;
    item.querySelector(".waited").textContent = waitedText(comment.waited_seconds);
    const text = item.querySelector(".text");
    for (const segment of comment.segments) {
      if (segment.highlight) {
        const mark = document.createElement("mark");
        mark.textContent = segment.text;
        text.append(mark);
      } else {
        text.append(document.createTextNode(segment.text));
      }
    }
    for (const task of ["spam", "abuse"]) {
      item.querySelector("meter." + task).value = comment.scores[task];
      item.querySelector("." + task + "-value").textContent = numbers.format(comment.scores[task]);
    }
    const scores = item.querySelector(".scores");
    for (const attribute of comment.attributes) {
      const score = document.createElement("span");
      score.className = "score attribute";
      score.dataset.attribute = attribute.name;
      const name = document.createElement("span");
      name.className = "score-name";
      name.textContent = M.attributes[attribute.name] || attribute.name;
      const meter = document.createElement("meter");
      Object.assign(meter, { min: 0, max: 1, low: 0.5, high: 0.8, optimum: 0, value: attribute.score });
      const value = document.createElement("span");
      value.className = "attribute-value";
      value.dir = "ltr";
      value.textContent = numbers.format(attribute.score);
      score.append(name, meter, value);
      scores.append(score);
    }
    const campaignNote = item.querySelector(".campaign-note");
    if (comment.campaign) {
      // one card stands for the campaign: its decision decides every held member
      item.classList.add("campaign");
      item.dataset.campaign = comment.campaign.id;
      campaignNote.textContent = comment.campaign.summary;
      campaignNote.hidden = false;
    } else {
      campaignNote.remove();
    }
    if (comment.audit) {
      item.classList.add("audit");
      item.querySelector(".audit-note").hidden = false;
    } else {
      item.querySelector(".audit-note").remove();
    }
    const reasons = item.querySelector(".reasons");
    for (const reason of comment.reasons) {
      if (comment.audit && reason.code === "below_thresholds") continue;
      const entry = document.createElement("li");
      entry.textContent = M.hold_reasons[reason.code] || reason.code;
      entry.title = reason.message;
      entry.className = "reason";
      reasons.append(entry);
    }
    const reports = item.querySelector(".reports-note");
    if (comment.reports) {
      const why = Object.entries(comment.reports.reasons)
        .map(([reason, count]) => (M.report_reasons[reason] || reason) + " " + count.toLocaleString(data.locale));
      reports.textContent = fill(M.reports, { count: comment.reports.count.toLocaleString(data.locale), reasons: new Intl.ListFormat(data.locale).format(why) });
      reports.hidden = false;
    } else {
      reports.remove();
    }
    for (const button of item.querySelectorAll("button[data-decision]")) {
      button.addEventListener("click", () => { select(item); decide([item], button.dataset.decision); });
    }
    if (comment.author_ref) item.dataset.authorRef = comment.author_ref;
    showBadge(item, comment.author_restriction);
    item.querySelector(".author-open").addEventListener("click", () => { select(item); toggleAuthor(item); });
    for (const button of item.querySelectorAll("button[data-author-action]")) {
      button.addEventListener("click", () => { select(item); actOnAuthor(item, button.dataset.authorAction); });
    }
    item.querySelector(".author-undo").addEventListener("click", () => undo(AUTHOR + item.dataset.id));
    item.querySelector(".undo").addEventListener("click", () => undo(item.dataset.id));
    item.querySelector(".dismiss").addEventListener("click", () => removeItem(item));
    const reasonSelect = item.querySelector(".decision-reason");
    reasonSelect.addEventListener("change", () => item.focus());
    const markBox = item.querySelector("input.mark");
    markBox.addEventListener("click", (event) => {
      event.stopPropagation();
      if (event.shiftKey) markRange(item); else toggleMark(item);
    });
    item.addEventListener("click", (event) => {
      if (event.target.closest("button, select, a, input")) return;
      if (event.shiftKey) { markRange(item); return; }
      select(item);
    });
    return item;
  }

  // The comment a reply answers, above the reply: its author, status and text, all as text.
  function renderParent(box, parent) {
    if (!parent) { box.remove(); return; }
    box.hidden = false;
    box.dataset.status = parent.status;
    const author = box.querySelector(".parent-author");
    if (parent.author) author.textContent = parent.author; else author.remove();
    box.querySelector(".parent-status").textContent = M.parent_status[parent.status] || parent.status;
    const text = box.querySelector(".parent-text");
    if (parent.status === "removed") text.textContent = M.parent_removed;
    else if (parent.status === "unknown") text.textContent = M.parent_unknown;
    else text.textContent = parent.text || M.parent_retained;
    if (!parent.text) text.classList.add("missing");
  }

  function items() { return Array.from(queue.children); }
  function open(item) { return !item.classList.contains("decided") && !pending.has(item.dataset.id); }

  function select(item) {
    if (selected) selected.classList.remove("selected");
    selected = item || null;
    if (!selected) return;
    selected.classList.add("selected");
    selected.focus({ preventScroll: true });
    selected.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const list = items();
    if (!list.length) return;
    const at = list.indexOf(selected);
    const next = at < 0 ? 0 : Math.min(list.length - 1, Math.max(0, at + step));
    select(list[next]);
  }

  function selectNextOpen(from) {
    const list = items();
    const at = list.indexOf(from);
    const after = list.slice(at + 1).find(open);
    const before = list.slice(0, Math.max(0, at)).reverse().find(open);
    select(after || before || null);
  }

  // -- marking cards for one decision together ----------------------------------------------

  function setMark(item, on) {
    if (on && !open(item)) return;
    if (on) marked.add(item); else marked.delete(item);
    item.classList.toggle("marked", on);
    item.querySelector("input.mark").checked = on;
  }

  function showBulk() {
    for (const item of [...marked]) if (!item.isConnected || !open(item)) setMark(item, false);
    bulk.hidden = marked.size === 0;
    bulkCount.textContent = fill(M.marked, { count: marked.size });
  }

  function toggleMark(item) {
    if (!item) return;
    setMark(item, !marked.has(item));
    anchor = item;
    showBulk();
  }

  function markRange(item) {
    const list = items();
    const from = list.indexOf(anchor && anchor.isConnected ? anchor : (selected || item));
    const to = list.indexOf(item);
    const [low, high] = from < 0 ? [to, to] : [Math.min(from, to), Math.max(from, to)];
    for (const each of list.slice(low, high + 1)) setMark(each, true);
    anchor = item;
    select(item);
    showBulk();
  }

  function clearMarks() {
    for (const item of [...marked]) setMark(item, false);
    showBulk();
  }

  function removeItem(item) {
    setMark(item, false);
    showBulk();
    const wasSelected = item === selected;
    if (wasSelected) selectNextOpen(item);
    item.remove();
    if (item === selected) selected = null;
    afterChange();
  }

  function afterChange() {
    const left = items().length;
    empty.hidden = left > 0;
    if (!left) empty.textContent = M.empty;
    if (!left && !pending.size) claim();
  }

  // -- decisions, with a grace period for undo -----------------------------------------------

  function outcome(item, text, withUndo, withDismiss) {
    item.querySelector(".outcome-text").textContent = text;
    item.querySelector(".undo").hidden = !withUndo;
    item.querySelector(".dismiss").hidden = !withDismiss;
  }

  // One decision (entry) covers one card, or every card marked when it was made: it is sent
  // as one request when its grace period ends, and undone as a whole.
  function decide(targets, decision, reason) {
    targets = targets.filter((item) => item && open(item));
    if (!targets.length) return;
    const entry = {
      ids: targets.map((item) => item.dataset.id), items: targets, decision,
      reason: reason !== undefined ? reason : targets[0].querySelector(".decision-reason").value,
      deadline: Date.now() + data.undo_seconds * 1000,
    };
    const tick = () => {
      const left = Math.ceil((entry.deadline - Date.now()) / 1000);
      if (left <= 0) { send(entry, false); return; }
      const text = M.decided[decision] + " · " + fill(M.sending_in, { seconds: left });
      for (const item of entry.items) outcome(item, text, true, false);
    };
    entry.timer = setInterval(tick, 250);
    for (const id of entry.ids) pending.set(id, entry);
    undoOrder.push(entry);
    for (const item of entry.items) {
      setMark(item, false);
      item.classList.add("pending-decision", "decision-" + decision);
    }
    showBulk();
    tick();
    selectNextOpen(targets[targets.length - 1]);
  }

  function decideMarkedOrSelected(decision) {
    if (marked.size) {
      decide(items().filter((item) => marked.has(item)), decision, bulkReason.value);
      bulkReason.selectedIndex = 0;
    } else {
      decide([selected], decision);
    }
  }

  function forget(entry) {
    clearInterval(entry.timer);
    for (const id of entry.ids) pending.delete(id);
    const at = undoOrder.indexOf(entry);
    if (at >= 0) undoOrder.splice(at, 1);
  }

  function undo(id) {
    const entry = id ? pending.get(id) : undoOrder[undoOrder.length - 1];
    if (!entry) return;
    forget(entry);
    if (entry.kind === "author") {
      entry.item.classList.remove("pending-author-action");
      authorOutcome(entry.item, "", false);
      select(entry.item);
      return;
    }
    for (const item of entry.items) {
      item.classList.remove("pending-decision", "decision-" + entry.decision);
      outcome(item, "", false, false);
    }
    select(entry.items[0]);
  }

  // One card's answer: decided (it leaves), final for this page (409/404: someone else decided
  // it or holds it), or not stored (it stays open for another try).
  function settle(item, decision, result) {
    item.classList.remove("sending");
    if (result && result.ok) {
      item.classList.add("decided");
      removeItem(item);
      return;
    }
    item.classList.remove("pending-decision", "decision-" + decision);
    if (result && (result.status === 409 || result.status === 404)) {
      item.classList.add("decided", "conflict");
      outcome(item, explain(result), false, true);
      return;
    }
    item.classList.add("failed");
    outcome(item, result ? explain(result) : M.network, false, false);
  }

  async function send(entry, keepalive) {
    if (!undoOrder.includes(entry)) return; // undone, or sent already
    forget(entry);
    for (const item of entry.items) {
      item.classList.add("sending");
      outcome(item, M.decided[entry.decision], false, false);
    }
    let result = null;
    try {
      result = entry.ids.length === 1
        ? await call(data.urls.decide.replace("COMMENT_ID", encodeURIComponent(entry.ids[0])),
          "POST", { decision: entry.decision, reason: entry.reason,
            group: Boolean(entry.items[0].dataset.campaign) }, keepalive)
        : await call(data.urls.decide_many, "POST",
          { ids: entry.ids, decision: entry.decision, reason: entry.reason, group: true },
          keepalive);
    } catch (error) {
      result = null;
    }
    let decidedWith = [];
    if (entry.ids.length > 1 && result && result.ok) {
      // each comment answers for itself: one another moderator took is that card's conflict
      const byId = new Map(result.payload.results.map((each) => [each.id, each]));
      for (const item of entry.items) {
        const each = byId.get(item.dataset.id);
        settle(item, entry.decision, each && {
          ok: each.status === 200, status: each.status, payload: each.error || each.record });
      }
      decidedWith = result.payload.results;
    } else {
      for (const item of entry.items) settle(item, entry.decision, result);
      decidedWith = (result && result.ok && result.payload.group) || [];
    }
    // a campaign's other held members were decided with its card: their cards, if any, go too
    const others = new Set(decidedWith.filter((each) => each.status === 200).map((each) => each.id));
    for (const item of items()) {
      if (others.has(item.dataset.id) && open(item)) { item.classList.add("decided"); removeItem(item); }
    }
    refreshCounts();
  }

  window.addEventListener("pagehide", () => {
    for (const entry of [...pending.values()]) {
      if (entry.kind === "author") sendAuthorAction(entry, true); else send(entry, true);
    }
  });

  // -- the author: their record, and actions on them (with the same undo grace) ---------------

  const AUTHOR = "author:"; // pending key of an author action, beside decisions' comment ids
  const A = M.author;
  const dates = new Intl.DateTimeFormat(data.locale, { dateStyle: "medium" });
  const dateText = (seconds) => dates.format(new Date(seconds * 1000));

  function restrictionText(restriction) {
    if (!restriction) return "";
    const until = restriction.until ? fill(A.until, { date: dateText(restriction.until) }) : A.for_good;
    return A.badge[restriction.kind] + " · " + until;
  }

  function showBadge(item, restriction) {
    const badge = item.querySelector(".author-badge");
    badge.hidden = !restriction;
    badge.className = "author-badge" + (restriction ? " " + restriction.kind : "");
    badge.textContent = restrictionText(restriction);
  }

  function authorOutcome(item, text, withUndo) {
    item.querySelector(".author-outcome-text").textContent = text;
    item.querySelector(".author-undo").hidden = !withUndo;
  }

  function authorPanelOpen(item) {
    return Boolean(item) && !item.querySelector(".author-panel").hidden;
  }

  function toggleAuthor(item) {
    if (!item) return;
    const panel = item.querySelector(".author-panel");
    const opening = panel.hidden;
    panel.hidden = !opening;
    item.querySelector(".author-open").setAttribute("aria-expanded", String(opening));
    if (opening) loadAuthor(item);
  }

  async function loadAuthor(item) {
    const state = item.querySelector(".author-state");
    state.textContent = A.loading;
    let result;
    try {
      result = await call(data.urls.author.replace("COMMENT_ID", encodeURIComponent(item.dataset.id)), "GET");
    } catch (error) {
      state.textContent = M.network;
      return;
    }
    if (!result.ok) { state.textContent = result.payload.error === "no_author_record" ? A.no_record : explain(result); return; }
    const record = result.payload;
    state.textContent = record.restriction ? restrictionText(record.restriction) : A.none;
    const counts = item.querySelector(".author-counts");
    counts.replaceChildren();
    const total = document.createElement("li");
    total.textContent = fill(A.comments, { total: record.total });
    counts.append(total);
    for (const status of ["pending", "approved", "rejected", "spam"]) {
      const entry = document.createElement("li");
      entry.className = "count " + status;
      entry.dataset.status = status;
      entry.textContent = M.statuses[status] + " " + (record.counts[status] || 0);
      counts.append(entry);
    }
    const streak = item.querySelector(".author-streak");
    streak.hidden = !record.rejected_in_a_row;
    streak.textContent = fill(A.in_a_row, { count: record.rejected_in_a_row });
    const recent = item.querySelector(".author-recent");
    recent.replaceChildren();
    for (const comment of record.recent) {
      const entry = document.createElement("li");
      entry.className = "status-" + comment.status + (comment.this_comment ? " this-comment" : "");
      const when = document.createElement("time");
      when.textContent = dateText(comment.created_at);
      const status = document.createElement("span");
      status.className = "recent-status";
      status.textContent = M.statuses[comment.status] +
        (comment.hold_reason ? " · " + (M.hold_reasons[comment.hold_reason] || comment.hold_reason) : "");
      const words = document.createElement("bdi");
      words.dir = "auto";
      words.textContent = comment.first_words;
      entry.append(when, " ", status, " ", words);
      recent.append(entry);
    }
    const log = item.querySelector(".author-log");
    log.replaceChildren();
    for (const action of record.actions) {
      const entry = document.createElement("li");
      const until = action.action === "lift" ? "" : " · " + (action.until ? fill(A.until, { date: dateText(action.until) }) : A.for_good);
      entry.textContent = dateText(action.at) + " · " + A.action_names[action.action] + until + " · " +
        fill(A.by, { moderator: action.by }) + (action.reason ? " · " + (M.decision_reasons[action.reason] || action.reason) : "");
      log.append(entry);
    }
  }

  function actOnAuthor(item, action) {
    if (!item || !authorPanelOpen(item)) return;
    const key = AUTHOR + item.dataset.id;
    if (pending.has(key)) return;
    const daysChoice = item.querySelector(".author-days");
    let days = daysChoice.value ? Number(daysChoice.value) : null;
    if (action === "suspend" && days === null) days = Number(daysChoice.querySelector("[data-suspension-default]").value);
    if (action === "lift") days = null;
    const held = action === "ban" ? item.querySelector(".author-held").value || null : null;
    const entry = {
      kind: "author", ids: [key], items: [item], item, action, days, decide_held: held,
      reason: item.querySelector(".decision-reason").value,
      deadline: Date.now() + data.undo_seconds * 1000,
    };
    const tick = () => {
      const left = Math.ceil((entry.deadline - Date.now()) / 1000);
      if (left <= 0) { sendAuthorAction(entry, false); return; }
      authorOutcome(item, A.doing[action] + " · " + fill(M.sending_in, { seconds: left }), true);
    };
    entry.timer = setInterval(tick, 250);
    pending.set(key, entry);
    undoOrder.push(entry);
    item.classList.add("pending-author-action");
    tick();
  }

  async function sendAuthorAction(entry, keepalive) {
    if (!undoOrder.includes(entry)) return; // undone, or sent already
    forget(entry);
    const { item } = entry;
    item.classList.remove("pending-author-action");
    const body = { action: entry.action };
    if (entry.days !== null) body.days = entry.days;
    if (entry.reason) body.reason = entry.reason;
    if (entry.decide_held) body.decide_held = entry.decide_held;
    let result;
    try {
      result = await call(data.urls.author_action.replace("COMMENT_ID", encodeURIComponent(item.dataset.id)),
        "POST", body, keepalive);
    } catch (error) {
      result = null;
    }
    if (!result || !result.ok) {
      const code = result && result.payload.error;
      authorOutcome(item, !result ? M.network : (A[code] || explain(result)), false);
      return;
    }
    const answer = result.payload;
    let text = A.done[entry.action];
    if (answer.held) text += " " + fill(A.held_decided, { count: answer.held.decided.length });
    authorOutcome(item, text, false);
    // the same author's other cards on the page carry the same badge
    const ref = item.dataset.authorRef;
    for (const card of items()) {
      if (card === item || (ref && card.dataset.authorRef === ref)) showBadge(card, answer.restriction);
    }
    if (answer.held) {
      for (const id of answer.held.decided) {
        const card = items().find((candidate) => candidate.dataset.id === id);
        if (card && card !== item) {
          // one this moderator decided meanwhile is answered when its own grace ends
          if (!pending.has(id)) { card.classList.add("decided"); removeItem(card); }
        } else if (card === item) {
          item.classList.add("decided", "decided-with-author");
          outcome(item, M.decided[answer.held.decision], false, true);
        }
      }
      refreshCounts();
    }
    if (authorPanelOpen(item)) loadAuthor(item);
  }

  // -- claiming and counts ---------------------------------------------------------------------

  async function claim() {
    if (claiming) return;
    claiming = true;
    leaseLine.textContent = M.loading;
    try {
      const result = await call(data.urls.claim, "POST", {
        site: data.filters.site || null, reason: data.filters.reason || null,
        limit: data.filters.batch, sort: data.filters.sort,
      });
      if (!result.ok) { showNotice(explain(result), result.status === 401); leaseLine.textContent = ""; return; }
      hideNotice();
      const known = new Set(items().map((item) => item.dataset.id));
      for (const comment of result.payload.comments) {
        if (!known.has(comment.id)) queue.append(render(comment));
      }
      leaseDeadline = result.payload.comments.length
        ? Date.now() + result.payload.lease_seconds * 1000 : 0;
      showCounts(result.payload.counts);
      updateLease();
      empty.hidden = items().length > 0;
      if (!items().length) empty.textContent = M.empty;
      if (!selected || !selected.isConnected) select(items().find(open) || null);
    } catch (error) {
      showNotice(M.network);
    } finally {
      claiming = false;
    }
  }

  function updateLease() {
    if (!leaseDeadline || !items().some(open)) { leaseLine.textContent = ""; return; }
    const left = leaseDeadline - Date.now();
    if (left <= 0) {
      leaseLine.textContent = "";
      if (notice.hidden) showNotice(M.lease_expired);
      document.body.classList.add("lease-expired");
      return;
    }
    document.body.classList.remove("lease-expired");
    leaseLine.textContent = fill(M.lease_left, { minutes: Math.ceil(left / 60000) });
  }

  function showCounts(counts) {
    for (const cell of document.querySelectorAll("#counts [data-status]")) {
      cell.textContent = String(counts[cell.dataset.status] || 0);
    }
  }

  async function refreshCounts() {
    const site = data.filters.site ? "?site=" + encodeURIComponent(data.filters.site) : "";
    try {
      const result = await call(data.urls.counts + site, "GET");
      if (result.ok) showCounts(result.payload);
    } catch (error) { /* counts are a convenience; the next answer refreshes them */ }
  }

  // -- keyboard and help -------------------------------------------------------------------------

  function toggleHelp(show) {
    help.hidden = show === undefined ? !help.hidden : !show;
    if (!help.hidden) document.getElementById("help-close").focus();
    else if (selected) selected.focus();
  }

  document.getElementById("help-button").addEventListener("click", () => toggleHelp(true));
  document.getElementById("help-close").addEventListener("click", () => toggleHelp(false));
  document.getElementById("claim-more").addEventListener("click", () => { hideNotice(); claim(); });
  for (const button of bulk.querySelectorAll("button[data-decision]")) {
    button.addEventListener("click", () => decideMarkedOrSelected(button.dataset.decision));
  }
  document.getElementById("bulk-clear").addEventListener("click", clearMarks);

  const letters = {
    KeyJ: "j", KeyK: "k", KeyA: "a", KeyR: "r", KeyS: "s", KeyU: "u", KeyX: "x",
    KeyH: "h", KeyP: "p", KeyD: "d", KeyB: "b", KeyL: "l",
  };
  const authorKeys = { p: "premoderate", d: "suspend", b: "ban", l: "lift" };
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const isHelpKey = event.key === "?" || event.key === "؟";
    if (!help.hidden) {
      if (isHelpKey || event.key === "Escape") { event.preventDefault(); toggleHelp(false); }
      return;
    }
    if (event.target.closest && event.target.closest("input, select, textarea")) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (isHelpKey) { event.preventDefault(); toggleHelp(true); return; }
    // By physical key, so the shortcuts work the same on an Arabic keyboard layout.
    const key = letters[event.code];
    const digit = /^Digit([1-9])$/.exec(event.code);
    if (!key && !digit) return;
    event.preventDefault();
    if (digit && marked.size) {
      const index = Number(digit[1]);
      if (index < bulkReason.options.length) bulkReason.selectedIndex = index;
      return;
    }
    if (digit && selected && open(selected)) {
      const options = selected.querySelector(".decision-reason").options;
      const index = Number(digit[1]);
      if (index < options.length) options.selectedIndex = index;
      return;
    }
    if (key === "j") move(1);
    else if (key === "k") move(-1);
    else if (key === "x") toggleMark(selected);
    else if (key === "a") decideMarkedOrSelected("approve");
    else if (key === "r") decideMarkedOrSelected("reject");
    else if (key === "s") decideMarkedOrSelected("spam");
    else if (key === "u") undo();
    else if (key === "h") toggleAuthor(selected);
    else if (authorKeys[key]) actOnAuthor(selected, authorKeys[key]);
  });

  setInterval(updateLease, 1000);
  claim();
})();
