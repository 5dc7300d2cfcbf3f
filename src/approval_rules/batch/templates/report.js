(function(){
  // The case table (see report_cases.py for its layout), shown a page at a time.
  var D = JSON.parse(document.getElementById('case-data').textContent);
  var S = D.s, K = D.k, R = D.r, C = D.c;
  var LABEL = {{ label|tojson }}, COLOR = {{ color|tojson }};
  var PAGE = {{ page_size }};
  var q = document.getElementById('q'), body = document.querySelector('#case-table tbody');
  var shown = document.getElementById('shown'), pageBox = document.getElementById('page'), pages = document.getElementById('pages');
  var tabs = Array.prototype.slice.call(document.querySelectorAll('.tabs button'));
  var state = {tab: '', page: 0}, list = [], keys = null, lowS = null;

  function el(tag, text, cls){ var e = document.createElement(tag); if (text != null) e.textContent = text; if (cls) e.className = cls; return e; }
  function tag(k){ var t = el('span', LABEL[k] || k, 'tag'); t.style.setProperty('--c', COLOR[k] || '#555'); return t; }
  function isError(c){ return K[c[4]] === 'error'; }

  // Lower-cased text once, on the first search: the four ids of each case, and the string table.
  function prepare(){
    if (keys) return;
    keys = new Array(C.length); lowS = new Array(S.length);
    for (var i = 0; i < C.length; i++) keys[i] = (C[i][0] + '\u0001' + C[i][1] + '\u0001' + C[i][2] + '\u0001' + C[i][3]).toLowerCase();
    for (var j = 0; j < S.length; j++) lowS[j] = S[j].toLowerCase();
  }

  function matches(n, t, hit, ruleHit){
    if (keys[n].indexOf(t) >= 0) return true;
    var fs = C[n][8], err = isError(C[n]);
    for (var i = 0; i < fs.length; i++) {
      var f = fs[i];
      if (err) { if (hit[f[0]] || hit[f[1]]) return true; continue; }
      if (ruleHit[f[0]] || hit[f[2]]) return true;
      for (var m = 3; m < f.length; m++) if (hit[f[m]]) return true;
    }
    return false;
  }

  function filter(){
    var t = q.value.trim().toLowerCase(), hit = null, ruleHit = null, counts = {'': 0};
    if (t) {
      prepare();
      hit = new Uint8Array(S.length); ruleHit = new Uint8Array(R.length);
      for (var i = 0; i < S.length; i++) if (lowS[i].indexOf(t) >= 0) hit[i] = 1;
      for (var r = 0; r < R.length; r++) if (hit[R[r][0]] || hit[R[r][1]]) ruleHit[r] = 1;
    }
    list = [];
    for (var n = 0; n < C.length; n++) {
      if (t && !matches(n, t, hit, ruleHit)) continue;
      var k = K[C[n][4]];
      counts[k] = (counts[k] || 0) + 1; counts['']++;
      if (!state.tab || state.tab === k) list.push(n);
    }
    tabs.forEach(function(b){ b.querySelector('b').textContent = counts[b.getAttribute('data-tab')] || 0; });
    shown.textContent = list.length;
    state.page = 0;
    render();
  }

  function ruleIds(c){
    var ids = [];
    if (isError(c)) { c[8].forEach(function(f){ ids.push(S[f[0]]); }); return ids; }
    c[8].forEach(function(f){ if (R[f[0]][2] !== 'info') ids.push(S[R[f[0]][0]]); });
    return ids;
  }

  function row(n){
    var c = C[n], tr = el('tr'), first = el('td', null, 'id');
    tr.setAttribute('data-decision', K[c[4]]);
    var open = el('button', '▸', 'open'); open.setAttribute('aria-expanded', 'false'); open.setAttribute('aria-label', '查看问题');
    var link = el('a', c[0]); link.href = '#cases';
    first.appendChild(open); first.appendChild(link);
    function toggle(ev){ ev.preventDefault(); details(tr, n, open); }
    open.addEventListener('click', toggle); link.addEventListener('click', toggle);
    tr.appendChild(first);
    tr.appendChild(el('td', c[1] || '—'));
    tr.appendChild(el('td', c[2] || '—', 'code'));
    tr.appendChild(el('td', c[3] || '—', 'code'));
    var d = el('td'); d.appendChild(tag(K[c[4]])); tr.appendChild(d);
    var ids = ruleIds(c), cell = el('td', null, 'ids');
    ids.slice(0, 6).forEach(function(x){ cell.appendChild(el('code', x)); });
    if (ids.length > 6) cell.appendChild(el('span', '等 ' + ids.length + ' 条', 'note'));
    tr.appendChild(cell);
    return tr;
  }

  // A case's findings are built only when it is opened.
  function details(tr, n, open){
    var next = tr.nextSibling;
    if (next && next.className === 'detail') { next.parentNode.removeChild(next); open.textContent = '▸'; open.setAttribute('aria-expanded', 'false'); return; }
    var c = C[n], box = el('td'), out = el('tr', null, 'detail');
    box.colSpan = 6;
    var src = S[c[5]] + (c[6] ? ':' + c[6] : '');
    box.appendChild(el('div', '来源 ' + src + (S[c[7]] ? ' · 按 ' + S[c[7]] + ' 施行的规则审查' : ''), 'note'));
    var k = K[c[4]], ol = el('ol');
    if (k === 'unreadable') box.appendChild(el('p', '该案卷在结果库中的已存结果无法读取（数据已损坏）；用 screen --resume 重新审查。', 'note'));
    else if (!c[8].length) box.appendChild(el('p', '没有问题：适用的规则均已满足。', 'note'));
    c[8].forEach(function(f){
      var li = el('li');
      if (k === 'error') {
        li.appendChild(el('code', S[f[0]])); li.appendChild(document.createTextNode(' ' + S[f[2]] + ' ' + S[f[1]]));
        if (f[3] >= 0) li.appendChild(el('div', '提示：' + S[f[3]], 'cite'));
      } else {
        var rule = R[f[0]];
        li.appendChild(el('b', S[rule[1]])); li.appendChild(document.createTextNode(' ')); li.appendChild(el('code', S[rule[0]]));
        li.appendChild(document.createTextNode(' '));
        if (COLOR[rule[2]]) li.appendChild(tag(rule[2])); else if (rule[2] === 'info') li.appendChild(el('span', '提示', 'note'));
        li.appendChild(el('span', f[1] ? ' 无法判断' : ' 不符合', 'note'));
        li.appendChild(el('div', S[f[2]]));
        if (f.length > 3) li.appendChild(el('div', '缺少：' + f.slice(3).map(function(i){ return S[i]; }).join('、'), 'missing'));
        if (S[rule[3]]) li.appendChild(el('div', '依据：' + S[rule[3]], 'cite'));
      }
      ol.appendChild(li);
    });
    if (c[8].length) box.appendChild(ol);
    out.appendChild(box);
    tr.parentNode.insertBefore(out, tr.nextSibling);
    open.textContent = '▾'; open.setAttribute('aria-expanded', 'true');
  }

  function render(){
    var last = Math.max(0, Math.ceil(list.length / PAGE) - 1);
    state.page = Math.min(Math.max(0, state.page), last);
    var frag = document.createDocumentFragment();
    for (var i = state.page * PAGE; i < Math.min(list.length, (state.page + 1) * PAGE); i++) frag.appendChild(row(list[i]));
    body.textContent = '';
    body.appendChild(frag);
    pageBox.value = state.page + 1; pageBox.max = last + 1; pages.textContent = last + 1;
    document.querySelector('[data-go=first]').disabled = document.querySelector('[data-go=prev]').disabled = state.page === 0;
    document.querySelector('[data-go=next]').disabled = document.querySelector('[data-go=last]').disabled = state.page === last;
  }

  function select(tab){
    state.tab = tab;
    tabs.forEach(function(b){ b.setAttribute('aria-selected', String(b.getAttribute('data-tab') === tab)); });
  }

  var timer = null;
  q.addEventListener('input', function(){ clearTimeout(timer); timer = setTimeout(filter, 150); });
  tabs.forEach(function(b){ b.addEventListener('click', function(){ select(b.getAttribute('data-tab')); filter(); }); });
  document.querySelector('.pager').addEventListener('click', function(ev){
    var go = ev.target.getAttribute && ev.target.getAttribute('data-go');
    if (!go) return;
    state.page = go === 'first' ? 0 : go === 'prev' ? state.page - 1 : go === 'next' ? state.page + 1 : Infinity;
    render();
  });
  pageBox.addEventListener('change', function(){ state.page = (parseInt(pageBox.value, 10) || 1) - 1; render(); });
  // The correction lists' links: show those cases in the case table.
  Array.prototype.forEach.call(document.querySelectorAll('a[data-q]'), function(a){
    a.addEventListener('click', function(){ q.value = a.getAttribute('data-q'); select(a.getAttribute('data-tab')); filter(); });
  });
  filter();
  document.body.setAttribute('data-ready', '1');
})();
