/* flame_js.c — the stylesheet and script every flame graph SVG carries
 * (flame.c), so the file works alone: no network, no other file.
 *
 * The script works on the SVG's own DOM: frames are <g class="f"> with a
 * <title> "name (details)", a <rect> and a <text>; data-v is the frame's
 * width in counts. It keeps each frame's original geometry, zooms by
 * rescaling the frames inside the clicked one (ancestors span the width,
 * others hide), rewrites the percentages relative to the zoomed frame,
 * and searches by regular expression, summing the widths of the matched
 * frames not inside another match ("Matched: 12.3%"). window.pk exposes
 * search(re), zoom(g), zoomTo(name), reset() for tests and users; the URL
 * parameters ?s=RE and ?f=NAME apply them once the document has loaded
 * (the script comes before the frames). Plain ES5: no build step. */
#include "flame_int.h"

const char pk__flame_style[] =
    "text{font-family:Verdana,sans-serif;font-size:12px;fill:#000}"
    "#title{font-size:17px}#subtitle{fill:#555}#pruned{fill:#777;font-size:11px}"
    ".btn{cursor:pointer;fill:#225}.btn:hover{text-decoration:underline}.hide{display:none}"
    ".f{cursor:pointer}.f:hover rect{stroke:#000;stroke-width:0.5}"
    ".f text{pointer-events:none;font-size:11px}.f.up{opacity:0.6}";

static const char script_a[] =
    "(function(){'use strict';\n"
    "var svg=document.documentElement,fr=[],zoomed=null,re=null;\n"
    "var pad=+svg.getAttribute('data-pad'),W=+svg.getAttribute('width'),"
    "inv=svg.getAttribute('data-inverted')==='1',diff=svg.getAttribute('data-diff')==='1',"
    "unit=svg.getAttribute('data-unit'),total=+svg.getAttribute('data-total');\n"
    "function $(id){return document.getElementById(id);}\n"
    "function nameOf(g){var t=g.querySelector('title').textContent,i=t.lastIndexOf(' (');"
    "return i<0?t:t.slice(0,i);}\n"
    "function init(){var gs=document.querySelectorAll('g.f');\n"
    " for(var i=0;i<gs.length;i++){var g=gs[i],r=g.querySelector('rect');\n"
    "  fr.push({g:g,r:r,t:g.querySelector('text'),ti:g.querySelector('title'),name:nameOf(g),"
    "x:+r.getAttribute('x'),w:+r.getAttribute('width'),y:+r.getAttribute('y'),"
    "v:+g.getAttribute('data-v'),fill:r.getAttribute('fill'),"
    "tip:g.querySelector('title').textContent});}\n"
    " svg.addEventListener('click',function(e){var g=e.target.closest?e.target.closest('g.f'):null;"
    "if(g)zoom(g);});\n"
    " svg.addEventListener('mouseover',function(e){var g=e.target.closest?e.target.closest('g.f'):null;"
    "if(g)$('details').textContent=g.querySelector('title').textContent;});\n"
    " svg.addEventListener('mouseout',function(){$('details').textContent=' ';});\n"
    " $('unzoom').addEventListener('click',function(e){e.stopPropagation();reset();});\n"
    " $('search').addEventListener('click',function(e){e.stopPropagation();"
    "if(re){search(null);return;}var s=window.prompt('Search (regular expression)','');"
    "if(s)search(s);});\n"
    " window.addEventListener('keydown',function(e){if((e.ctrlKey||e.metaKey)&&e.key==='f'){"
    "e.preventDefault();var s=window.prompt('Search (regular expression)','');if(s)search(s);}"
    "else if(e.key==='Escape')reset();});}\n"
    "function fit(f,w){var n=f.name,c=Math.floor((w-6)/7.08);"
    "f.t.textContent=w<3*7.08?'':(c>=n.length?n:c>2?n.slice(0,c-2)+'..':'');}\n"
    "function pct(v,of){return of>0?(100*v/of).toFixed(2)+'%':'0%';}\n"
    "function place(f,x,w,show){f.g.style.display=show?'':'none';if(!show)return;"
    "f.r.setAttribute('x',x.toFixed(1));f.r.setAttribute('width',w.toFixed(1));"
    "f.t.setAttribute('x',(x+3).toFixed(1));fit(f,w);}\n"
    "function tip(f,of){if(diff){f.ti.textContent=f.tip;return;}"
    "f.ti.textContent=f.name+' ('+f.v+' '+unit+', '+pct(f.v,of)+')';}\n"
    "function below(a,z){return inv?a.y>z.y:a.y<z.y;}\n"
    ;

static const char script_b[] =
    "function zoom(g){var z=null;for(var i=0;i<fr.length;i++)if(fr[i].g===g)z=fr[i];"
    "if(!z)return;zoomed=z;var s=(W-2*pad)/z.w,e=1e-6;\n"
    " for(var i=0;i<fr.length;i++){var f=fr[i];f.g.classList.remove('up');\n"
    "  if(f===z||(below(f,z)&&f.x>=z.x-e&&f.x+f.w<=z.x+z.w+e)){"
    "place(f,pad+(f.x-z.x)*s,f.w*s,f.w*s>=0.1);tip(f,z.v);}\n"
    "  else if(!below(f,z)&&f.y!==z.y&&f.x<=z.x+e&&f.x+f.w>=z.x+z.w-e){"
    "place(f,pad,W-2*pad,true);f.g.classList.add('up');tip(f,total);}\n"
    "  else place(f,0,0,false);}\n"
    " $('unzoom').classList.remove('hide');if(re)search(re.source);}\n"
    "function zoomTo(name){var best=null;for(var i=0;i<fr.length;i++)"
    "if(fr[i].name===name&&(!best||fr[i].w>best.w))best=fr[i];if(best)zoom(best.g);return !!best;}\n"
    "function reset(){zoomed=null;for(var i=0;i<fr.length;i++){var f=fr[i];"
    "f.g.classList.remove('up');place(f,f.x,f.w,true);tip(f,total);}"
    "$('unzoom').classList.add('hide');if(re)search(re.source);}\n"
    "function search(src){re=null;var m=[],of=zoomed?zoomed.v:total;\n"
    " if(src){try{re=new RegExp(src);}catch(err){$('matched').textContent='bad regex';return -1;}}\n"
    " for(var i=0;i<fr.length;i++){var f=fr[i],hit=re&&re.test(f.name)&&f.g.style.display!=='none';"
    "f.r.setAttribute('fill',hit?'rgb(230,0,230)':f.fill);if(hit)m.push(f);}\n"
    " if(!re){$('matched').textContent='';$('search').textContent='Search';return 0;}\n"
    " m.sort(function(a,b){return a.x-b.x||b.w-a.w;});var sum=0,end=-1;\n"
    " for(var i=0;i<m.length;i++){if(m[i].x+m[i].w<=end+1e-6)continue;sum+=m[i].v;"
    "end=m[i].x+m[i].w;}\n"
    " var p=of>0?100*sum/of:0;$('matched').textContent='Matched: '+p.toFixed(1)+'%';"
    "$('search').textContent='Reset Search';return p;}\n"
    "function start(){init();window.pk={search:search,zoom:zoom,zoomTo:zoomTo,reset:reset};\n"
    " var q=new URLSearchParams(window.location.search);\n"
    " if(q.get('f'))zoomTo(q.get('f'));if(q.get('s'))search(q.get('s'));\n"
    " svg.setAttribute('data-ready','1');}\n"
    "if(document.readyState==='complete')start();else window.addEventListener('load',start);\n"
    "})();\n";

/* in parts: C17 compilers need only take 4095-byte literals */
const char *const pk__flame_script[] = {script_a, script_b, NULL};
