"""The report's inline style sheet and search-box script: static text, kept apart from the code that fills the page."""

CSS = """
:root{--ink:#1f2328;--muted:#5f6b7a;--line:#d8dee4;--bg:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif;color:var(--ink);background:#fff;line-height:1.55;font-size:15px}
main{max-width:1180px;margin:0 auto;padding:24px 28px 64px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:36px 0 12px;padding-bottom:6px;border-bottom:2px solid var(--line)}
h3{font-size:16px;margin:0 0 6px}
.meta,.note{color:var(--muted);font-size:13px}
nav{margin:12px 0 0;font-size:14px}
nav a{margin-right:14px}
a{color:#0b57d0;text-decoration:none}
a:hover{text-decoration:underline}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px;margin:8px 0 14px}
.card{border:1px solid var(--line);border-left:6px solid var(--c);border-radius:8px;padding:10px 14px;background:#fff}
.card b{display:block;font-size:28px;line-height:1.2}
.card span{color:var(--muted);font-size:13px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600;position:sticky;top:0}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.tag{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;white-space:nowrap;background:var(--c)}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;background:var(--bg);padding:0 3px;border-radius:3px}
.ids code{margin-right:4px}
td code{white-space:nowrap}
td.id{overflow-wrap:anywhere;min-width:12em}
td.date{white-space:nowrap}
td.src{overflow-wrap:anywhere;font-size:12.5px;color:var(--muted)}
table.fixed{table-layout:fixed}
.filters{display:flex;gap:10px;align-items:center;margin:6px 0 10px;flex-wrap:wrap}
.filters input{flex:1;min-width:260px;padding:7px 10px;border:1px solid var(--line);border-radius:6px;font-size:14px}
.filters select{padding:6px 8px;border:1px solid var(--line);border-radius:6px;font-size:14px}
.case{border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:12px 0;scroll-margin-top:12px}
.case:target{outline:3px solid #0b57d0}
.case ol{margin:6px 0 0;padding-left:22px}
.case li{margin:6px 0}
.cite{color:var(--muted);font-size:13px}
.missing{color:#8a4b00}
svg text{font-family:inherit}
.chart{border:1px solid var(--line);border-radius:8px;padding:8px;background:#fff}
"""

SCRIPT = """
(function(){
  var q=document.getElementById('q'),d=document.getElementById('d'),n=document.getElementById('shown');
  var rows=Array.prototype.slice.call(document.querySelectorAll('#case-table tbody tr'));
  function apply(){
    var t=q.value.trim().toLowerCase(),k=d.value,c=0;
    rows.forEach(function(r){
      var ok=(!k||r.getAttribute('data-decision')===k)&&(!t||r.textContent.toLowerCase().indexOf(t)>=0);
      r.style.display=ok?'':'none'; if(ok)c++;
    });
    n.textContent=c;
  }
  q.addEventListener('input',apply); d.addEventListener('change',apply);
})();
"""
