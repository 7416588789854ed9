/* page.c — the dashboard as one HTML file: the page around the charts,
 * the summary of the latest check, the filters, the inline style and
 * script.
 *
 * Static first: headings per benchmark (h2), the charts (chart.c), the
 * summary table with a <meter> per budget's headroom — all of it reads
 * without script. The script (under 3 KB) adds what needs it: a tooltip
 * for the point under the pointer or the keyboard's cursor (arrow keys on
 * a focused chart), and the branch / machine filters, which hide the
 * charts' (branch, machine) groups and benchmarks left empty; their state
 * is the URL fragment (#branch=B&machine=FP&run=ID) so a filtered view can
 * be linked. The script reads only the DOM — no data of the history is
 * ever written into it, so nothing in a name can reach it as code. */
#include "dashboard/dash_int.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#include "perfkit/units.h"

static const char CSS[] =
    ":root{--fg:#1b1f24;--mut:#57606a;--bg:#fff;--pan:#f6f8fa;--ln:#0969da;--bad:#cf222e;"
    "--ok:#1a7f37;--bd:#d0d7de}"
    "body{font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:0}"
    "header,main{max-width:1200px;margin:0 auto;padding:0 16px}"
    "h1{font-size:22px;margin:16px 0 4px}h2{font-size:17px;margin:0 0 4px;word-break:break-all}"
    ".meta,.note{color:var(--mut);margin:0 0 8px}"
    ".filters{display:none;gap:16px;align-items:center;padding:8px 0;flex-wrap:wrap}"
    "html.js .filters{display:flex}select{font:inherit}"
    "section{border:1px solid var(--bd);border-radius:6px;padding:12px;margin:12px 0}"
    ".row{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}.tr{flex:3 1 600px}"
    ".di{flex:1 1 280px}figcaption{color:var(--mut);font-size:12px}"
    "svg{width:100%;height:auto;display:block}svg text{font-size:11px;fill:var(--mut)}"
    ".trend:focus{outline:2px solid var(--ln)}.ax text{text-anchor:end}.ax .xl{text-anchor:start}"
    ".ax .xl+.xl{text-anchor:end}.ax path{stroke:var(--bd);fill:none}"
    ".grid{stroke-dasharray:2 4}.band{fill:var(--ln);opacity:.15}"
    ".ln{fill:none;stroke:var(--ln);stroke-width:1.5}"
    ".p path{stroke:var(--ln);stroke-width:6;stroke-linecap:round}"
    ".p path:hover,.p path.hl{stroke-width:12;stroke:#bf8700}"
    ".s[data-b=\"1\"] .ln,.s[data-b=\"1\"] .p path{stroke:#8250df}"
    ".s[data-b=\"1\"] .p path.hl{stroke:#bf8700}.s[data-m=\"1\"] .ln{stroke-dasharray:6 3}"
    ".cp path{stroke:var(--mut);stroke-dasharray:4 3}.cp.reg path{stroke:var(--bad)}"
    ".cp .mark{fill:var(--bad);stroke:none}"
    ".budget path{stroke:var(--bad);stroke-width:1.5;stroke-dasharray:8 4}"
    ".budget text{fill:var(--bad);text-anchor:end}"
    ".cur{fill:var(--ln);opacity:.7}.base{fill:none;stroke:#bf8700;stroke-width:2}"
    ".axis{stroke:var(--bd)}.end{text-anchor:end}"
    "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;"
    "border-bottom:1px solid var(--bd);vertical-align:top}td.num{text-align:right;"
    "white-space:nowrap}.st-fail{color:var(--bad);font-weight:600}.st-ok{color:var(--ok)}"
    "meter{width:90px}.flame{width:100%;height:320px;resize:vertical;border:1px solid var(--bd)}"
    "#tip{position:absolute;background:var(--fg);color:#fff;padding:4px 8px;border-radius:4px;"
    "font-size:12px;pointer-events:none;white-space:nowrap}"
    ".key{display:inline-block;width:18px;height:3px;vertical-align:middle;"
    "background:var(--ln)}.key.b2{background:#8250df}.key.bl{background:#bf8700}"
    ".key.bd{background:var(--bad)}"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--mut:#9198a1;--bg:#0d1117;"
    "--pan:#161b22;--bd:#30363d;--ln:#4493f8}#tip{background:#e6edf3;color:#0d1117}}";

static const char JS[] =
    "(function(){'use strict';var d=document,tip=d.getElementById('tip'),"
    "fb=d.getElementById('f-branch'),fm=d.getElementById('f-machine'),"
    "cnt=d.getElementById('f-count'),hl=null;d.documentElement.classList.add('js');"
    "function opt(s,v){for(var i=0;i<s.options.length;i++)if(s.options[i].value===v)"
    "return s.options[i].textContent;return ''}"
    "function show(c){if(hl)hl.classList.remove('hl');hl=c;c.classList.add('hl');"
    "var t=c.querySelector('title').textContent.split(' '),g=c.parentNode.parentNode;"
    "tip.textContent='run '+t[0]+' \\u00b7 commit '+t[1]+' \\u00b7 '+opt(fb,g.dataset.b)+"
    "' \\u00b7 '+opt(fm,g.dataset.m)+' \\u00b7 '+t.slice(2).join(' ');tip.hidden=false;"
    "var r=c.getBoundingClientRect();tip.style.left=(r.left+scrollX+10)+'px';"
    "tip.style.top=(r.top+scrollY-30)+'px'}"
    "function hide(){tip.hidden=true;if(hl)hl.classList.remove('hl');hl=null}"
    "function X(c){return +c.getAttribute('d').slice(1).split(' ')[0]}"
    "function pts(svg){return Array.prototype.filter.call(svg.querySelectorAll('.p path'),"
    "function(c){return c.parentNode.parentNode.style.display!=='none'}).sort(function(a,b){"
    "return X(a)-X(b)})}"
    "function isPt(c){return c.tagName==='path'&&c.parentNode.classList.contains('p')}"
    "d.addEventListener('mouseover',function(e){if(isPt(e.target))show(e.target)});"
    "d.addEventListener('mouseout',function(e){if(isPt(e.target))hide()});"
    "d.querySelectorAll('svg.trend').forEach(function(svg){svg.addEventListener('keydown',"
    "function(e){var p=pts(svg),i=p.indexOf(hl),k=e.key;if(!p.length)return;"
    "if(k==='ArrowRight')i=i<0?p.length-1:Math.min(i+1,p.length-1);"
    "else if(k==='ArrowLeft')i=i<0?p.length-1:Math.max(i-1,0);else if(k==='Home')i=0;"
    "else if(k==='End')i=p.length-1;else{if(k==='Escape')hide();return}"
    "e.preventDefault();show(p[i])});svg.addEventListener('blur',hide)});"
    "function byText(s,t){for(var i=0;i<s.options.length;i++)if(s.options[i].textContent===t)"
    "return s.options[i].value;return ''}"
    "function apply(push){var b=fb.value,m=fm.value,shown=0,all=0;hide();"
    "d.querySelectorAll('section.bench').forEach(function(sec){var vis=0;"
    "sec.querySelectorAll('g.s').forEach(function(g){var on=(!b||g.dataset.b===b)&&"
    "(!m||g.dataset.m===m);g.style.display=on?'':'none';vis+=on});"
    "sec.hidden=!vis;all++;shown+=!!vis});cnt.textContent=shown+' of '+all+' benchmarks';"
    "if(push){var q=[];if(b)q.push('branch='+encodeURIComponent(opt(fb,b)));"
    "if(m)q.push('machine='+encodeURIComponent(opt(fm,m)));"
    "history.replaceState(null,'',q.length?'#'+q.join('&'):location.pathname+location.search)}}"
    "d.querySelectorAll('g.s').forEach(function(g){var q=[];g.querySelectorAll('.p path')"
    ".forEach(function(c){q.push(c.getAttribute('d').slice(1,-2))});"
    "if(q.length>1)g.querySelector('.ln').setAttribute('d','M'+q.join('L'))});"
    "function load(){var q=new URLSearchParams(location.hash.slice(1));"
    "fb.value=q.has('branch')?byText(fb,q.get('branch')):'';"
    "fm.value=q.has('machine')?byText(fm,q.get('machine')):'';apply(false);"
    "var r=q.get('run');if(r){var c=Array.prototype.find.call(d.querySelectorAll('.p path'),"
    "function(c){return c.parentNode.parentNode.style.display!=='none'&&"
    "c.querySelector('title').textContent.split(' ')[0]==='#'+r});if(c){"
    "c.closest('svg').scrollIntoView({block:'nearest'});show(c)}}}"
    "fb.addEventListener('change',function(){apply(true)});"
    "fm.addEventListener('change',function(){apply(true)});"
    "addEventListener('hashchange',load);load();"
    "d.documentElement.setAttribute('data-ready','1')})();";

void pk__dash_esc(FILE *f, const char *s)
{
    static const char bad[] = "\xef\xbf\xbd";
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        if (c < 0x80) {
            switch (c) {
            case '&': fputs("&amp;", f); break;
            case '<': fputs("&lt;", f); break;
            case '>': fputs("&gt;", f); break;
            case '"': fputs("&quot;", f); break;
            case '\'': fputs("&#39;", f); break;
            default:
                if (c < 0x20 || c == 0x7f)
                    fputs(bad, f);
                else
                    fputc(c, f);
            }
            p++;
            continue;
        }
        size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
                 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        uint32_t cp = n == 2 ? c & 0x1fu : n == 3 ? c & 0x0fu : c & 0x07u;
        size_t ok = n;
        for (size_t i = 1; i < n && ok; i++) {
            if ((p[i] & 0xc0) != 0x80)
                ok = 0;
            cp = cp << 6 | (p[i] & 0x3fu);
        }
        /* overlong forms, surrogates and code points past U+10FFFF are not
         * UTF-8; C1 controls and the bidirectional overrides and isolates
         * (which would reorder the text around them) are not shown either */
        if (ok && ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
                   (cp >= 0xd800 && cp <= 0xdfff)))
            ok = 0;
        if (ok && (cp <= 0x9f || (cp >= 0x202a && cp <= 0x202e) ||
                   (cp >= 0x2066 && cp <= 0x2069))) {
            fputs(bad, f);   /* one character, one U+FFFD */
            p += n;
            continue;
        }
        if (!ok) {
            fputs(bad, f);
            p++;
            continue;
        }
        fwrite(p, 1, n, f);
        p += n;
    }
}

char *pk__dash_value(pk_unit_kind u, double v, char *buf, size_t len)
{
    if (!isfinite(v)) {
        snprintf(buf, len, "n/a");
        return buf;
    }
    switch (u) {
    case PK_UNIT_DURATION: return pk_units_format_duration(v, 0, buf, len);
    case PK_UNIT_SIZE: return pk_units_format_size(v, buf, len);
    default: return pk_units_format_count(v, buf, len);
    }
}

static void options(FILE *f, char *const *names, size_t n, bool fp)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "<option value=\"%zu\">", i);
        if (names[i][0])
            pk__dash_esc(f, names[i]);
        else
            fputs(fp ? "(unknown)" : "(no branch)", f);
        fputs("</option>", f);
    }
}

static bool fails(pk_check_status s)
{
    return s == PK_CHECK_OVER_BUDGET || s == PK_CHECK_REGRESSED || s == PK_CHECK_ERROR;
}

static void summary_row(FILE *f, const pk__dash_item *it)
{
    char cur[48], lim[48];
    fputs("<tr><td>", f);
    pk__dash_esc(f, it->benchmark);
    fputs("</td><td>", f);
    pk__dash_esc(f, it->figure);
    if (it->stat[0]) {
        fputs(it->kind == PK_ITEM_BUDGET ? "." : " (", f);
        pk__dash_esc(f, it->stat);
        fputs(it->kind == PK_ITEM_BUDGET ? "" : ")", f);
    }
    fprintf(f, "</td><td class=\"num\">%s</td>",
            it->measured ? pk__dash_value(it->unit, it->current, cur, sizeof cur) : "\xe2\x80\x94");
    bool budget = it->kind == PK_ITEM_BUDGET || it->kind == PK_ITEM_SIZE;
    if (budget) {
        fprintf(f, "<td class=\"num\">%s %s</td>", it->bound == PK_BOUND_MIN ? "\xe2\x89\xa5"
                                                                             : "\xe2\x89\xa4",
                pk__dash_value(it->unit, it->limit, lim, sizeof lim));
        if (isfinite(it->headroom))
            fprintf(f, "<td class=\"num\"><meter min=\"0\" max=\"1\" low=\"0.1\" high=\"0.3\" "
                    "optimum=\"1\" value=\"%.3f\" aria-label=\"headroom %.1f%%\"></meter> "
                    "%.1f%%</td>", it->headroom < 0 ? 0 : it->headroom > 1 ? 1 : it->headroom,
                    it->headroom * 100, it->headroom * 100);
        else
            fputs("<td class=\"num\">\xe2\x80\x94</td>", f);
    } else {
        bool base = isfinite(it->baseline) && it->status != PK_CHECK_NO_BASELINE;
        fprintf(f, "<td class=\"num\">%s%s</td><td class=\"num\">", base ? "baseline " : "",
                base ? pk__dash_value(it->unit, it->baseline, lim, sizeof lim) : "\xe2\x80\x94");
        if (base && it->baseline != 0 && it->measured)
            fprintf(f, "%+.1f%%", (it->current / it->baseline - 1) * 100);
        fputs("</td>", f);
    }
    fprintf(f, "<td class=\"%s\">%s</td></tr>", fails(it->status) ? "st-fail" : "st-ok",
            it->status == PK_CHECK_OVER_BUDGET && it->bound == PK_BOUND_MIN
                ? "below minimum" : pk_check_status_name(it->status));
}

static void summary(FILE *f, const pk_dashboard *d)
{
    fputs("<section id=\"summary\" aria-labelledby=\"h-sum\"><h2 id=\"h-sum\">Latest check"
          "</h2>", f);
    if (!d->has_check || !d->n_items) {
        fputs("<p class=\"note\">No budgets: give a perfkit.yml with budgets (or run "
              "<code>perfkit check --html</code>) to see each budget's headroom.</p></section>",
              f);
        return;
    }
    fputs("<p class=\"meta\">", f);
    if (d->check_run)
        fprintf(f, "Run #%lld", (long long)d->check_run);
    else
        fputs("This run (not stored)", f);
    if (d->check_commit[0])
    {
        char c[11];
        snprintf(c, sizeof c, "%.7s", d->check_commit);
        fputs(", commit ", f);
        pk__dash_esc(f, c);
    }
    fprintf(f, ": <strong class=\"%s\">%s</strong>. Headroom: how much of a budget's limit is "
            "still unused (0%% at the limit).</p>", d->check_failed ? "st-fail" : "st-ok",
            d->check_failed ? "failed" : "passed");
    fputs("<table><thead><tr><th scope=\"col\">Benchmark</th><th scope=\"col\">Check</th>"
          "<th scope=\"col\">Value</th><th scope=\"col\">Limit / baseline</th>"
          "<th scope=\"col\">Headroom / change</th><th scope=\"col\">Verdict</th></tr></thead>"
          "<tbody>", f);
    for (size_t i = 0; i < d->n_items; i++)
        summary_row(f, &d->items[i]);
    fputs("</tbody></table></section>", f);
}

static pk_err bench(FILE *f, const pk_dashboard *d, const pk__dash_bench *b, size_t i)
{
    char v[48];
    const pk__dash_point *last = &b->pts[b->n - 1];
    fprintf(f, "<section class=\"bench\" id=\"b%zu\" aria-labelledby=\"h%zu\"><h2 id=\"h%zu\">",
            i, i, i);
    pk__dash_esc(f, b->name);
    fputs("</h2><p class=\"meta\">", f);
    pk__dash_esc(f, b->figure);
    fprintf(f, ", %s per run, %zu run%s; latest #%lld %s", d->stat, b->n, b->n == 1 ? "" : "s", (long long)last->run,
            pk__dash_value(b->unit, last->value, v, sizeof v));
    if (b->base_run)
        fprintf(f, ", baseline #%lld", (long long)b->base_run);
    fprintf(f, "; %zu change point%s</p><div class=\"row\"><figure class=\"tr\">", b->n_cps,
            b->n_cps == 1 ? "" : "s");
    pk__dash_trend(f, d, b, i);
    fputs("<figcaption><span class=\"key\"></span> run statistic, band: 95% CI of the "
          "median; dashed line: change point (red: regression); <span class=\"key bd\">"
          "</span> budget</figcaption></figure><figure class=\"di\">", f);
    pk__dash_dist(f, d, b, i);
    fputs("<figcaption><span class=\"key\"></span> latest run, <span class=\"key bl\"></span>"
          " baseline: share of samples per bin; <span class=\"key bd\"></span> budget"
          "</figcaption></figure></div>", f);
    pk_err e = PK_OK;
    if (b->folded) {
        fputs("<details><summary>CPU profile", f);
        fputs(b->base_folded ? ": flame graph and differential flame graph" : ": flame graph",
              f);
        fputs("</summary>", f);
        e = pk__dash_flame(f, b->folded, b->folded_len, NULL, 0, "Flame graph of the latest run");
        if (e == PK_OK && b->base_folded)
            e = pk__dash_flame(f, b->folded, b->folded_len, b->base_folded, b->base_folded_len,
                               "Differential flame graph: baseline to latest");
        fputs("</details>", f);
    }
    fputs("</section>", f);
    return e;
}

pk_err pk_dashboard_write_html(FILE *f, const pk_dashboard *d)
{
    if (!f || !d)
        return PK_EINVAL;
    fputs("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
          "content=\"width=device-width,initial-scale=1\"><title>", f);
    pk__dash_esc(f, d->title);
    fprintf(f, "</title><style>%s</style></head><body><header><h1>", CSS);
    pk__dash_esc(f, d->title);
    fprintf(f, "</h1><p class=\"meta\">%zu benchmark%s, %zu run%s in history; %s per run",
            d->n, d->n == 1 ? "" : "s", d->n_runs, d->n_runs == 1 ? "" : "s", d->stat);
    if (d->branch_filter) {
        fputs("; branch ", f);
        pk__dash_esc(f, d->branch_filter);
    }
    fputs(".</p><nav class=\"filters\" aria-label=\"Filters\"><label>Branch <select "
          "id=\"f-branch\"><option value=\"\">all</option>", f);
    options(f, d->branches, d->n_branches, false);
    fputs("</select></label><label>Machine <select id=\"f-machine\"><option value=\"\">all"
          "</option>", f);
    options(f, d->machines, d->n_machines, true);
    fputs("</select></label><span id=\"f-count\" aria-live=\"polite\"></span></nav></header>"
          "<main>", f);
    summary(f, d);
    if (!d->n)
        fputs("<p class=\"note\">No runs in history yet: run <code>perfkit check</code>.</p>",
              f);
    pk_err e = PK_OK;
    for (size_t i = 0; i < d->n && e == PK_OK; i++)
        e = bench(f, d, &d->b[i], i);
    fprintf(f, "</main><div id=\"tip\" role=\"status\" aria-live=\"polite\" hidden></div>"
            "<script>%s</script></body></html>\n", JS);
    if (e == PK_OK && (fflush(f) != 0 || ferror(f)))
        e = PK_EIO;
    return e;
}
