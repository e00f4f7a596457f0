// docketcal desk, intake: each duty's date recomputed as the fields are edited, without waiting
// for "Check again". The page works the same without this script: it only saves a round trip.
// It posts the fields form (with its CSRF token) to /intake/dates and writes what comes back
// as text (never as HTML): each duty's date, each error beside its field, the order file.
(function () {
  "use strict";
  var form = document.getElementById("fields");
  if (!form || !window.fetch || !window.FormData) return;
  var asked = 0;

  function clear() {
    form.querySelectorAll(".why").forEach(function (box) { box.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    });
    form.querySelectorAll(".bad").forEach(function (el) { el.classList.remove("bad"); });
  }

  function place(id, messages) {
    var at = document.getElementById(id);
    if (!at) return false;
    var box = document.createElement("div");
    box.className = "why";
    box.id = id + "-error";
    messages.forEach(function (m) {
      var p = document.createElement("p");
      p.textContent = m;
      box.appendChild(p);
    });
    if (at.tagName === "FIELDSET") {
      at.querySelector("legend").after(box);
    } else {
      at.after(box);
      at.setAttribute("aria-invalid", "true");
    }
    at.setAttribute("aria-describedby", box.id);
    (at.closest(".field") || at).classList.add("bad");
    return true;
  }

  function show(answer) {
    clear();
    Object.keys(answer.dates).forEach(function (id) {
      var out = document.getElementById(id + "-date");
      if (out) out.textContent = answer.dates[id];
    });
    var top = answer.top.slice();
    Object.keys(answer.errors).forEach(function (id) {
      if (!place(id, answer.errors[id])) top = top.concat(answer.errors[id]);
    });
    var list = document.getElementById("top-errors");
    list.textContent = "";
    if (answer.summary.length) {  // each error at a field, linked to it
      var links = document.createElement("ul");
      links.className = "at-fields";
      links.setAttribute("aria-label", "Errors at their fields");
      answer.summary.forEach(function (item) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "#" + item[0];
        a.textContent = item[1];
        li.appendChild(a);
        li.appendChild(document.createTextNode(": " + item[2]));
        links.appendChild(li);
      });
      list.appendChild(links);
    }
    if (top.length) {
      var ul = document.createElement("ul");
      top.forEach(function (m) {
        var li = document.createElement("li");
        li.textContent = m;
        ul.appendChild(li);
      });
      list.appendChild(ul);
    }
    // the file the fields make: the TOML editor and the base agree with the fields again
    form.elements.base.value = answer.toml;
    var box = document.getElementById("toml");
    if (box) box.value = answer.toml;
    document.getElementById("verdict-ok").hidden = !answer.ok;
    document.getElementById("verdict-bad").hidden = answer.ok;
    var load = document.getElementById("load");
    if (load) load.hidden = !answer.ok;
  }

  form.addEventListener("change", function (event) {
    var name = event.target.name || "";
    if (/\.drop$/.test(name)) return;
    var mine = ++asked;
    fetch(form.dataset.dates, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) { if (answer && mine === asked) show(answer); })
      .catch(function () { /* the round trip still works: "Check again" */ });
  });
})();
