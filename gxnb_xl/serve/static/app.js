// gxnb serve: drag-and-drop upload (files, folders, zips) through the JSON API, and small comforts.
// Plain script, no build step, nothing from the network but this server.
(function () {
  "use strict";
  var body = document.body;
  var csrf = body.getAttribute("data-csrf") || "";
  var zh = body.getAttribute("data-lang") !== "en";
  var T = zh
    ? { sending: "正在上传并校验 {n} 个文件…", done: "已收到 {n} 个文件：", failed: "上传失败：", ok: "通过", warnings: "有提示",
        errors: "有错误", unreadable: "无法读取", refused: "未接收" }
    : { sending: "Uploading and checking {n} files…", done: "Received {n} files: ", failed: "Upload failed: ", ok: "passed",
        warnings: "warnings", errors: "errors", unreadable: "unreadable", refused: "refused" };

  function say(key, n) { return T[key].replace("{n}", n); }

  // every file under a dropped folder (webkitGetAsEntry), bounded
  function walk(entry, out, depth) {
    return new Promise(function (resolve) {
      if (!entry || depth > 8 || out.length > 5000) { resolve(); return; }
      if (entry.isFile) {
        entry.file(function (f) { out.push(f); resolve(); }, function () { resolve(); });
      } else if (entry.isDirectory) {
        var reader = entry.createReader();
        var all = [];
        (function more() {
          reader.readEntries(function (batch) {
            if (!batch.length) {
              Promise.all(all.map(function (e) { return walk(e, out, depth + 1); })).then(resolve);
            } else { all = all.concat(Array.prototype.slice.call(batch)); more(); }
          }, function () { resolve(); });
        })();
      } else { resolve(); }
    });
  }

  function upload(form, files) {
    var status = form.querySelector(".progress");
    if (!files.length) return;
    var data = new FormData();
    files.forEach(function (f) { data.append("files", f, f.webkitRelativePath || f.name); });
    status.textContent = say("sending", files.length);
    form.classList.add("busy");
    fetch(form.getAttribute("data-api"), { method: "POST", body: data, credentials: "same-origin",
                                           headers: { "X-CSRF-Token": csrf } })
      .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
      .then(function (res) {
        form.classList.remove("busy");
        if (!res[0]) { status.textContent = say("failed", 0) + (res[1].message || ""); return; }
        var counts = {};
        res[1].files.forEach(function (f) { counts[f.status] = (counts[f.status] || 0) + 1; });
        status.textContent = say("done", res[1].files.length) + Object.keys(counts).map(function (k) {
          return (T[k] || k) + " " + counts[k];
        }).join("，");
        setTimeout(function () { window.location.reload(); }, 700);
      })
      .catch(function (e) { form.classList.remove("busy"); status.textContent = say("failed", 0) + e; });
  }

  var drop = document.getElementById("drop");
  if (drop) {
    ["dragenter", "dragover"].forEach(function (ev) {
      drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.add("over"); });
    });
    drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
    drop.addEventListener("drop", function (e) {
      e.preventDefault();
      drop.classList.remove("over");
      var items = e.dataTransfer.items;
      var out = [];
      var entries = (items && items.length && items[0].webkitGetAsEntry)
        ? Array.prototype.map.call(items, function (it) { return it.webkitGetAsEntry(); }) : [];
      if (entries.length && entries.every(function (en) { return en; })) {
        // folders are walked; plain files come through the same way
        Promise.all(entries.map(function (en) { return walk(en, out, 0); })).then(function () { upload(drop, out); });
      } else {
        upload(drop, Array.prototype.slice.call(e.dataTransfer.files));
      }
    });
    drop.addEventListener("submit", function (e) {
      var input = drop.querySelector("input[type=file]");
      if (window.fetch && input && input.files.length) {
        e.preventDefault();
        upload(drop, Array.prototype.slice.call(input.files));
      }
    });
  }

  // reviewer's name, remembered for the decision forms
  var by = null;
  try { by = window.localStorage.getItem("gxnb_by"); } catch (e) { by = null; }
  Array.prototype.forEach.call(document.querySelectorAll("input.by"), function (inp) {
    if (by && !inp.value) inp.value = by;
    inp.addEventListener("change", function () {
      try { window.localStorage.setItem("gxnb_by", inp.value); } catch (e) { /* private mode */ }
    });
  });

  // links page: click selects the whole link for copying
  Array.prototype.forEach.call(document.querySelectorAll("input.link"), function (inp) {
    inp.addEventListener("focus", function () { inp.select(); });
  });
})();
