/* The comment form's nudge (class-hakam-nudge.php). Without this script the form posts as
 * always; with it, the form is sent with hakam_nudge=1 and a nudge is shown in place: the
 * message, the reader's words with the ones behind it marked, and two buttons. Everything the
 * server sends is inserted as text, never as markup. */
(function () {
  "use strict";
  var form = document.getElementById("commentform");
  if (!form || !window.fetch || !window.FormData) return;
  var words = window.hakamNudge || {};
  var panel = null;

  function tokenField() { return form.querySelector("input[name=hakam_nudge_token]"); }

  function show(answer) {
    if (panel) panel.remove();
    panel = document.createElement("div");
    panel.className = "hakam-nudge";
    panel.setAttribute("role", "alert");
    panel.setAttribute("tabindex", "-1");
    var heading = document.createElement("h3");
    heading.id = "hakam-nudge-heading";
    heading.textContent = words.heading;
    panel.setAttribute("aria-labelledby", heading.id);
    var message = document.createElement("p");
    message.textContent = answer.message;
    var quote = document.createElement("blockquote");
    quote.setAttribute("dir", "auto");
    var marked = [];
    answer.segments.forEach(function (segment) {
      if (segment.mark) {
        var mark = document.createElement("mark");
        mark.textContent = segment.text;
        quote.appendChild(mark);
        marked.push(segment.text);
      } else {
        quote.appendChild(document.createTextNode(segment.text));
      }
    });
    // Highlighting alone is not read out by every screen reader: the words are named too.
    var named = document.createElement("p");
    named.className = "hakam-nudge-words";
    named.textContent = words.words + " " + marked.map(function (w) { return "«" + w + "»"; }).join("، ");
    var actions = document.createElement("div");
    actions.className = "hakam-nudge-actions";
    var edit = document.createElement("button");
    edit.type = "button";
    edit.className = "hakam-nudge-edit";
    edit.textContent = words.edit;
    edit.addEventListener("click", function () {
      var text = form.querySelector("textarea[name=comment]");
      if (text) text.focus();
    });
    var post = document.createElement("button");
    post.type = "button";
    post.className = "hakam-nudge-post";
    post.textContent = words.post;
    post.addEventListener("click", function () { HTMLFormElement.prototype.submit.call(form); });
    actions.appendChild(edit);
    actions.appendChild(post);
    panel.appendChild(heading);
    panel.appendChild(message);
    panel.appendChild(quote);
    panel.appendChild(named);
    panel.appendChild(actions);
    var submit = form.querySelector(".form-submit") || form.lastElementChild;
    form.insertBefore(panel, submit);
    panel.focus();
  }

  form.addEventListener("submit", function (event) {
    // After a nudge the token rides along and the form posts as usual (edited or not).
    if (tokenField() && tokenField().value) return;
    event.preventDefault();
    var data = new FormData(form);
    data.append("hakam_nudge", "1");
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 422) {
          return response.json().then(function (answer) {
            if (answer && answer.code === "nudge") {
              tokenField().value = answer.nudge_token;
              show(answer);
              return;
            }
            throw new Error("not a nudge");
          });
        }
        // Taken (WordPress redirected to the comment) or refused by WordPress: show that page.
        if (response.redirected) { window.location.assign(response.url); return; }
        return response.text().then(function (page) {
          document.open(); document.write(page); document.close();
        });
      })
      .catch(function () { window.alert(words.failed); });
  });
})();
