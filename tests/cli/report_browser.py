"""report_browser.py — drive perfkit report's page in headless Chromium.

usage: report_browser.py CHROME PAGE.html BENCHMARKS [NOSCRIPT-DOM.html]

Speaks the DevTools protocol over --remote-debugging-pipe (fd 3: commands to
the browser, fd 4: its answers, each message JSON ending in NUL): nothing
but Python's standard library and Debian's chromium, no network, no npm.
It loads the page and checks, failing with a message on the first miss:
  - no console message, no uncaught exception, no failed request;
  - BENCHMARKS trend charts, each with its line drawn by the script;
  - the flame graphs (stored profiles) open without a console message;
  - moving the mouse onto a run's marker shows the tooltip with that run's
    commit (the one in the marker's <title>);
  - the keyboard: Tab focuses the first chart, ArrowLeft steps to the run
    before, End to the newest;
  - the branch filter hides the other branches' groups, empties benchmarks
    with no run on it and counts what is left, and puts the branch in the
    URL; the machine filter too; "all" brings everything back;
  - a URL with #branch=...&run=N opens filtered with run N's tooltip;
then, given NOSCRIPT-DOM.html, loads the page with scripts disabled and
writes its DOM there (the shell test checks the static parts).
Prints "ok: ..." lines; exits 1 on a failure, 2 when the browser is unusable.
"""
import json
import os
import subprocess
import sys
import time


class Browser:
    def __init__(self, chrome, profile):
        cmd_r, self.cmd_w = os.pipe()
        self.ans_r, ans_w = os.pipe()

        def fds():   # copies first: a pipe end may already be fd 3 or 4
            r, w = os.dup(cmd_r), os.dup(ans_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [chrome, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--remote-debugging-pipe", "--user-data-dir=" + profile,
             "--window-size=1280,900", "about:blank"],
            preexec_fn=fds, close_fds=False, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env=dict(os.environ, HOME=profile))
        os.close(cmd_r)
        os.close(ans_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def _read(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("no answer from the browser")
            chunk = os.read(self.ans_r, 65536)
            if not chunk:
                raise EOFError("the browser closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=True, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            m = self._read(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, timeout=30):
        deadline = time.time() + timeout
        for i, m in enumerate(self.events):
            if m.get("method") == method:
                del self.events[i]
                return m
        while True:
            m = self._read(deadline)
            if m.get("method") == method:
                return m
            self.events.append(m)

    def js(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True})
        if "exceptionDetails" in r:
            raise RuntimeError("script %r: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    def close(self):
        try:
            self.call("Browser.close", session=False, timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    chrome, page, benches = sys.argv[1], os.path.abspath(sys.argv[2]), int(sys.argv[3])
    b = Browser(chrome, os.path.abspath("chrome-profile"))
    try:
        targets = b.call("Target.getTargets", session=False)["targetInfos"]
        tid = next(t["targetId"] for t in targets if t["type"] == "page")
        b.session = b.call("Target.attachToTarget", {"targetId": tid, "flatten": True},
                           session=False)["sessionId"]
    except Exception as e:  # noqa: BLE001 - the browser itself is unusable
        print("browser unusable: %s" % e)
        b.close()
        sys.exit(2)
    for domain in ("Page", "Runtime", "Log", "Network"):
        b.call(domain + ".enable")

    def load(url):
        b.call("Page.navigate", {"url": "about:blank"})   # a new document every time
        b.wait_event("Page.loadEventFired")
        b.call("Page.navigate", {"url": url})
        b.wait_event("Page.loadEventFired")
        deadline = time.time() + 10
        while not b.js("document.documentElement.dataset.ready === '1'"):
            if time.time() > deadline:
                fail("the page's script did not finish")
            time.sleep(0.05)

    def problems():
        bad = [m for m in b.events if m.get("method") in (
            "Runtime.consoleAPICalled", "Runtime.exceptionThrown", "Log.entryAdded",
            "Network.loadingFailed")]
        b.events = []
        return bad

    url = "file://" + page
    load(url)
    bad = problems()
    if bad:
        fail("console or network messages: %s" % json.dumps(bad)[:2000])
    print("ok: no console errors")
    n = b.js("document.querySelectorAll('section.bench svg.trend').length")
    if n != benches:
        fail("%s trend charts, want %d" % (n, benches))
    drawn = b.js("Array.prototype.every.call(document.querySelectorAll('g.s'),"
                 "function(g){return g.querySelectorAll('.p path').length < 2 ||"
                 " /^M[0-9 L]+$/.test(g.querySelector('.ln').getAttribute('d'))})")
    if not drawn:
        fail("a chart's line was not drawn")
    print("ok: %d charts, lines drawn" % n)
    frames = b.js("document.querySelectorAll('details').forEach(function(d){d.open=true});"
                  "document.querySelectorAll('iframe.flame').length")
    time.sleep(1)
    bad = problems()
    if bad:
        fail("console messages with the flame graphs open: %s" % json.dumps(bad)[:2000])
    print("ok: %d flame graphs open without console errors" % frames)

    # the mouse onto the newest marker of the first chart
    info = b.js("""(function(){var c=document.querySelector('svg.trend .p path:last-child');
        var all=document.querySelectorAll('svg.trend')[0].querySelectorAll('.p path');
        var best=all[0];all.forEach(function(p){var x=+p.getAttribute('d').slice(1).split(' ')[0];
        if(x>+best.getAttribute('d').slice(1).split(' ')[0])best=p});
        best.scrollIntoView({block:'center'});var r=best.getBoundingClientRect();
        return {x:r.left+r.width/2,y:r.top+r.height/2,t:best.querySelector('title').textContent}})()""")
    b.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": info["x"], "y": info["y"]})
    tip = b.js("document.getElementById('tip').hidden ? null : "
               "document.getElementById('tip').textContent")
    run, commit = info["t"].split(" ")[:2]
    if not tip or ("run " + run) not in tip or ("commit " + commit) not in tip:
        fail("hover on %r: tooltip %r" % (info["t"], tip))
    print("ok: hover shows %r" % tip)
    b.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": 2, "y": 2})
    if not b.js("document.getElementById('tip').hidden"):
        fail("the tooltip stays after the mouse left")

    # the keyboard: Tab to the first chart, End, ArrowLeft
    b.js("document.activeElement && document.activeElement.blur(); window.scrollTo(0,0);"
         "document.getElementById('f-machine').focus()")
    b.call("Input.dispatchKeyEvent", {"type": "keyDown", "key": "Tab", "code": "Tab",
                                      "windowsVirtualKeyCode": 9})
    b.call("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Tab", "code": "Tab",
                                      "windowsVirtualKeyCode": 9})
    if b.js("document.activeElement.getAttribute('class')") != "trend":
        fail("Tab after the filters does not focus the first chart: %s" %
             b.js("document.activeElement.outerHTML.slice(0,80)"))

    def key(k, code):
        for t in ("rawKeyDown", "keyUp"):
            b.call("Input.dispatchKeyEvent", {"type": t, "key": k, "code": k,
                                              "windowsVirtualKeyCode": code})
        return b.js("document.getElementById('tip').textContent")

    end = key("End", 35)
    if ("run " + run) not in end:
        fail("End: %r, want run %s" % (end, run))
    prev = key("ArrowLeft", 37)
    if ("run " + run) in prev or "run #" not in prev:
        fail("ArrowLeft: %r" % prev)
    print("ok: keyboard: End %r, ArrowLeft %r" % (end, prev))

    # filters
    branches = b.js("Array.prototype.map.call(document.getElementById('f-branch').options,"
                    "function(o){return o.textContent})")
    machines = b.js("Array.prototype.map.call(document.getElementById('f-machine').options,"
                    "function(o){return o.textContent})")
    if len(branches) < 3 or len(machines) < 3:
        fail("filters: branches %r machines %r: want two of each" % (branches, machines))

    def choose(sel, text):
        b.js("""(function(){var s=document.getElementById('%s');
            for(var i=0;i<s.options.length;i++)if(s.options[i].textContent===%s)s.selectedIndex=i;
            s.dispatchEvent(new Event('change'))})()""" % (sel, json.dumps(text)))

    def visible():
        return b.js("""Array.prototype.filter.call(document.querySelectorAll('g.s'),
            function(g){return g.getBoundingClientRect().width>0 &&
              !g.closest('section').hidden}).map(function(g){return g.dataset.b+'/'+g.dataset.m})""")

    total = len(visible())
    choose("f-branch", branches[2])
    vis = visible()
    want = b.js("document.getElementById('f-branch').value")
    if not vis or any(v.split("/")[0] != want for v in vis):
        fail("branch filter %r: visible groups %r" % (branches[2], vis))
    h = b.js("location.hash")
    if "branch=" not in h:
        fail("branch filter: URL fragment %r" % h)
    count = b.js("document.getElementById('f-count').textContent")
    print("ok: branch %r: %d of %d groups shown, %r, %s" % (branches[2], len(vis), total,
                                                            count, h))
    choose("f-machine", machines[2])
    vis2 = visible()
    wm = b.js("document.getElementById('f-machine').value")
    if any(v != want + "/" + wm for v in vis2):
        fail("machine filter: %r" % vis2)
    print("ok: branch and machine: %d groups" % len(vis2))
    choose("f-branch", "all")
    choose("f-machine", "all")
    if len(visible()) != total:
        fail("all/all does not show every group again")
    if b.js("document.querySelectorAll('section.bench[hidden]').length") != 0:
        fail("all/all leaves a benchmark hidden")
    print("ok: all/all shows every group again")

    # a link to a filtered view and a run
    own = tip.split(" \u00b7 ")[2]   # the hovered run's branch
    load(url + "#branch=" + own.replace("/", "%2F") + "&run=" + run[1:])
    t = b.js("document.getElementById('tip').textContent")
    if ("run " + run) not in t or b.js("document.getElementById('tip').hidden"):
        fail("#run=%s: tooltip %r" % (run[1:], t))
    if b.js("document.getElementById('f-branch').selectedOptions[0].textContent") != own:
        fail("#branch= did not select the branch")
    bad = problems()
    if bad:
        fail("console messages while driving: %s" % json.dumps(bad)[:2000])
    print("ok: link #branch=%s&run=%s" % (own, run[1:]))

    # scripts off: the page as a reader without JavaScript gets it
    if len(sys.argv) > 4:
        b.call("Emulation.setScriptExecutionDisabled", {"value": True})
        b.call("Page.navigate", {"url": "about:blank"})
        b.wait_event("Page.loadEventFired")
        b.call("Page.navigate", {"url": url})
        b.wait_event("Page.loadEventFired")
        root = b.call("DOM.getDocument")["root"]["nodeId"]
        with open(sys.argv[4], "w") as f:
            f.write(b.call("DOM.getOuterHTML", {"nodeId": root})["outerHTML"])
        print("ok: the DOM without script in %s" % sys.argv[4])
    b.close()


if __name__ == "__main__":
    main()
