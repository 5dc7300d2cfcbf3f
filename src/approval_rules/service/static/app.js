// A little plain JavaScript for the review page; no build step, no external scripts.
(function () {
  "use strict";
  var upload = document.getElementById("upload");
  if (upload) {
    upload.addEventListener("change", function () {
      var file = upload.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () { document.getElementById("text").value = reader.result; };
      reader.readAsText(file, "utf-8");
    });
  }
  // 规则目录: filter as you type (the server filters too, for links and without script).
  var q = document.getElementById("q");
  if (q && document.getElementById("rules")) {
    q.addEventListener("input", function () {
      var words = q.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      document.querySelectorAll("article.rule").forEach(function (el) {
        var hay = el.getAttribute("data-search");
        var ok = words.every(function (w) { return hay.indexOf(w) >= 0; });
        el.hidden = !ok;
        if (ok) shown += 1;
      });
      document.getElementById("count").textContent = "共 " + shown + " 条";
    });
  }
  // 接口文档: the OpenAPI document as a list of operations.
  var docs = document.getElementById("api-docs");
  if (docs) {
    fetch(docs.getAttribute("data-spec")).then(function (r) { return r.json(); }).then(function (spec) {
      docs.textContent = "";
      Object.keys(spec.paths).forEach(function (path) {
        Object.keys(spec.paths[path]).forEach(function (method) {
          var op = spec.paths[path][method];
          var box = document.createElement("div");
          box.className = "api-op";
          var head = document.createElement("div");
          var m = document.createElement("span");
          m.className = "method";
          m.textContent = method.toUpperCase();
          var p = document.createElement("code");
          p.textContent = path;
          head.appendChild(m); head.appendChild(p);
          head.appendChild(document.createTextNode("　" + op.summary));
          box.appendChild(head);
          var roles = document.createElement("div");
          roles.className = "hint";
          roles.textContent = op.description;
          box.appendChild(roles);
          var more = document.createElement("details");
          var sum = document.createElement("summary");
          sum.textContent = "参数、请求体与答复";
          more.appendChild(sum);
          var pre = document.createElement("pre");
          pre.textContent = JSON.stringify({parameters: op.parameters, requestBody: op.requestBody, responses: op.responses}, null, 2);
          more.appendChild(pre);
          box.appendChild(more);
          docs.appendChild(box);
        });
      });
    }).catch(function () { docs.textContent = "无法加载接口文档"; });
  }
})();
