// Slipway dashboard: the little script the server-rendered pages need. Every page works
// without it; with it, times stay fresh, the rollback confirmation opens in a dialog,
// config values are revealed in place, and an app page follows its releases live (SSE).
(() => {
    'use strict';

    const FRAGMENT = 'X-Slipway-Fragment';
    const LOCATION = 'X-Slipway-Location';

    // ---- Relative times, the same steps as the server's RelativeTime.Ago ----
    const plural = (n, unit) => (n === 1 ? `1 ${unit} ago` : `${n} ${unit}s ago`);
    function ago(then, now) {
        const s = Math.max(0, (now - then) / 1000);
        if (s < 45) return 'just now';
        if (s < 90) return '1 minute ago';
        if (s < 45 * 60) return plural(Math.round(s / 60), 'minute');
        if (s < 90 * 60) return '1 hour ago';
        if (s < 22 * 3600) return plural(Math.round(s / 3600), 'hour');
        if (s < 36 * 3600) return '1 day ago';
        if (s < 30 * 86400) return plural(Math.round(s / 86400), 'day');
        if (s < 365 * 86400) return plural(Math.max(1, Math.round(s / (30 * 86400))), 'month');
        return plural(Math.max(1, Math.round(s / (365 * 86400))), 'year');
    }
    const exact = new Intl.DateTimeFormat(undefined, {
        year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short',
    });
    function refreshTimes(root = document) {
        const now = Date.now();
        for (const time of root.querySelectorAll('time[data-relative]')) {
            const then = new Date(time.dateTime);
            if (Number.isNaN(then.getTime())) continue;
            time.textContent = ago(then.getTime(), now);
            time.title = exact.format(then);
        }
    }
    refreshTimes();
    setInterval(refreshTimes, 30000);

    // ---- Announcements for screen readers ----
    const announcer = document.getElementById('live-announcer');
    function announce(text) {
        if (!announcer) return;
        announcer.textContent = '';
        setTimeout(() => { announcer.textContent = text; }, 50);
    }

    // The "released" query only carries the page's announcement; drop it so a reload does not repeat it.
    const here = new URL(location.href);
    if (here.searchParams.has('released')) {
        here.searchParams.delete('released');
        history.replaceState(history.state, '', here.pathname + here.search + here.hash);
    }

    // ---- Dialog (the rollback confirmation) ----
    const dialog = document.getElementById('dialog');
    let opener = null;

    function focusDialog() {
        const target = dialog.querySelector('[role="alert"]') ?? dialog.querySelector('button[type="submit"]') ?? dialog.querySelector('[data-close]');
        if (target) {
            if (!target.matches('button, a')) target.tabIndex = -1;
            target.focus();
        }
    }

    async function openDialog(url, from) {
        opener = from;
        from?.setAttribute('aria-busy', 'true');
        try {
            const response = await fetch(url, { headers: { [FRAGMENT]: '1' } });
            if (response.status === 401) { location.reload(); return; }
            dialog.innerHTML = await response.text();
            refreshTimes(dialog);
            dialog.showModal();
            focusDialog();
        } catch {
            location.assign(url);
        } finally {
            from?.removeAttribute('aria-busy');
        }
    }

    if (dialog) {
        dialog.addEventListener('close', () => {
            dialog.innerHTML = '';
            if (opener && document.contains(opener)) opener.focus();
            else if (opener?.id) document.getElementById(opener.id)?.focus();
            opener = null;
        });
        dialog.addEventListener('click', (event) => {
            if (event.target === dialog || event.target.closest('[data-close]')) {
                event.preventDefault();
                dialog.close();
            }
        });
        dialog.addEventListener('submit', async (event) => {
            const form = event.target;
            if ((form.method || '').toLowerCase() !== 'post') return;
            event.preventDefault();
            const button = event.submitter;
            button?.setAttribute('aria-busy', 'true');
            if (button) button.disabled = true;
            try {
                const response = await fetch(form.action, { method: 'POST', body: new FormData(form), headers: { [FRAGMENT]: '1' } });
                const next = response.headers.get(LOCATION);
                if (response.ok && next) { location.assign(next); return; }
                if (response.status === 401) { location.reload(); return; }
                dialog.innerHTML = await response.text();
                focusDialog();
            } catch {
                form.submit();
            }
        });
    }

    // ---- Config values: revealed per var, in place ----
    function setRevealed(name, value) {
        const field = document.getElementById(`value-${name}`);
        const button = document.getElementById(`reveal-${name}`);
        if (!field || !button) return;
        const shown = value !== null;
        field.textContent = shown ? value : field.dataset.masked;
        field.classList.toggle('is-revealed', shown);
        button.setAttribute('aria-pressed', String(shown));
        button.textContent = shown ? 'Hide' : 'Reveal';
        button.setAttribute('aria-label', `${shown ? 'Hide' : 'Reveal'} the value of ${name}`);
    }

    async function toggleReveal(form, button) {
        const name = form.closest('[data-config]')?.dataset.config;
        if (!name) return;
        if (button.getAttribute('aria-pressed') === 'true') { setRevealed(name, null); return; }
        const response = await fetch(form.dataset.reveal, { headers: { [FRAGMENT]: '1' } });
        if (response.status === 401) { location.reload(); return; }
        if (response.ok) setRevealed(name, await response.text());
        else announce(`The value of ${name} could not be loaded.`);
    }

    document.addEventListener('submit', (event) => {
        const form = event.target;
        if (form.closest('dialog')) return;
        if (form.matches('[data-dialog]') && dialog) {
            event.preventDefault();
            openDialog(form.action, event.submitter);
        } else if (form.matches('[data-reveal]')) {
            event.preventDefault();
            toggleReveal(form, event.submitter);
        } else if (form.matches('[data-confirm]') && !window.confirm(form.dataset.confirm)) {
            event.preventDefault();
        }
    });

    // ---- Live updates: the server says when the releases changed; the page fetches itself ----
    const live = document.querySelector('[data-live-src]');
    if (live && 'EventSource' in window) {
        let busy = false;
        let again = false;
        let retry = null;

        const statusOf = (root) => new Map([...root.querySelectorAll('tr[data-version]')]
            .map((row) => [row.dataset.version, row.querySelector('[data-status]')?.dataset.status]));

        // A region is left alone while someone is typing in it; it is brought up to date later.
        const dirty = (region) => [...region.querySelectorAll('input, textarea')]
            .some((field) => field.type !== 'hidden' && field.value !== field.defaultValue);

        // Nor while a button or link in it is being pressed: swapping the region between the
        // press and the release would lose the click (the release lands on a new element).
        let pressed = null;
        document.addEventListener('pointerdown', (event) => { pressed = event.target; }, true);
        document.addEventListener('pointerup', () => setTimeout(() => { pressed = null; }), true);
        document.addEventListener('pointercancel', () => { pressed = null; }, true);
        const busyWith = (region) => dirty(region) || (pressed !== null && region.contains(pressed));

        function swap(region, fresh) {
            const focused = region.contains(document.activeElement) ? document.activeElement.id : null;
            const revealed = [...region.querySelectorAll('.value.is-revealed')]
                .map((field) => [field.closest('[data-config]')?.dataset.config, field.textContent]);
            region.innerHTML = fresh.innerHTML;
            for (const [name, value] of revealed) if (name) setRevealed(name, value);
            if (focused) document.getElementById(focused)?.focus({ preventScroll: true });
            refreshTimes(region);
        }

        async function refresh() {
            if (busy) { again = true; return; }
            busy = true;
            try {
                do {
                    again = false;
                    const url = new URL(location.href);
                    url.searchParams.delete('handler');
                    url.hash = '';
                    const response = await fetch(url, { headers: { Accept: 'text/html' } });
                    if (response.status === 401) { location.reload(); return; }
                    if (!response.ok) return;
                    const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
                    const before = statusOf(document);
                    let stale = false;
                    for (const region of document.querySelectorAll('[data-live-region]')) {
                        const fresh = doc.getElementById(region.id);
                        if (!fresh) continue;
                        if (busyWith(region)) { stale = true; continue; }
                        swap(region, fresh);
                    }
                    const after = statusOf(document);
                    const news = [];
                    for (const [version, status] of after) {
                        if (!before.has(version)) {
                            document.getElementById(`v${version}`)?.classList.add('is-new');
                            news.push(`New release v${version}, ${status}.`);
                        } else if (before.get(version) !== status) {
                            news.push(`Release v${version} is now ${status}.`);
                        }
                    }
                    if (news.length) announce(news.join(' '));
                    const stamp = doc.querySelector('[data-live-stamp]')?.dataset.liveStamp;
                    if (stamp) live.dataset.liveStamp = stamp;
                    clearTimeout(retry);
                    if (stale) retry = setTimeout(refresh, 3000);
                } while (again);
            } catch {
                // The stream will say again when something changes.
            } finally {
                busy = false;
            }
        }

        const source = new EventSource(`${live.dataset.liveSrc}?since=${encodeURIComponent(live.dataset.liveStamp || '')}`);
        source.addEventListener('release', refresh);
        source.addEventListener('gone', () => {
            source.close();
            announce('This app no longer exists.');
            live.insertAdjacentHTML('afterbegin', '<p class="form-error" role="alert">This app no longer exists.</p>');
        });
        window.addEventListener('pagehide', () => source.close());
    }
    // ---- Consoles: build output and the log tail, line by line, bounded, following the bottom ----
    function consoleLine(text) {
        const line = document.createElement('span');
        line.className = 'line';
        const log = /^(\S+) ([\w-]+\[[^\]]*\]):(.*)$/.exec(text);
        if (log) {
            const time = document.createElement('span');
            time.className = 'line-time';
            time.textContent = log[1].replace('T', ' ').replace(/\.\d+\+00:00$/, '');
            const source = document.createElement('span');
            source.className = 'line-source';
            source.textContent = log[2];
            line.append(time, ' ', source, `:${log[3]}\n`);
        } else {
            if (text.startsWith('-----> ')) line.classList.add('line-head');
            line.textContent = `${text}\n`;
        }
        return line;
    }

    function appendLines(pre, texts, max) {
        const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
        const fragment = document.createDocumentFragment();
        for (const text of texts) fragment.append(consoleLine(text));
        pre.append(fragment);
        if (max) while (pre.childElementCount > max) pre.firstElementChild.remove();
        if (atBottom) pre.scrollTop = pre.scrollHeight;
    }

    // ---- Build output: the build's own output stream, as server-sent events ----
    const buildOutput = document.querySelector('[data-build-output]');
    if (buildOutput && 'EventSource' in window) {
        const state = document.getElementById('build-output-state');
        const source = new URL(buildOutput.dataset.buildOutput, location.href);
        const stream = new EventSource(source.pathname + source.search);
        const words = { succeeded: 'Build succeeded.', failed: 'Build failed.' };
        if (state) state.textContent = buildOutput.dataset.buildStatus === 'pending' ? 'Building… output arrives as it runs.' : 'Loading output…';
        stream.addEventListener('message', (event) => appendLines(buildOutput, [event.data]));
        stream.addEventListener('end', (event) => {
            stream.close();
            buildOutput.dataset.buildStatus = event.data;
            if (state) state.textContent = words[event.data] ?? `Build ${event.data}.`;
        });
        window.addEventListener('pagehide', () => stream.close());
    }

    // ---- Log tail: the app's log as server-sent events; pausing holds new lines until resumed ----
    const logLines = document.querySelector('[data-log-src]');
    if (logLines && 'EventSource' in window) {
        const max = Number(logLines.dataset.logMax) || 500;
        const state = document.getElementById('log-state');
        const toggle = document.getElementById('log-toggle');
        let paused = false;
        let held = [];
        const say = (text) => { if (state) state.textContent = text; };
        const stream = new EventSource(logLines.dataset.logSrc);
        stream.addEventListener('open', () => say(paused ? 'Paused' : 'Live'));
        stream.addEventListener('error', () => say('Reconnecting…'));
        stream.addEventListener('line', (event) => {
            if (paused) {
                held.push(event.data);
                if (held.length > max) held = held.slice(-max);
                say(`Paused · ${held.length} new line${held.length === 1 ? '' : 's'}`);
            } else {
                appendLines(logLines, [event.data], max);
            }
        });
        if (toggle) {
            toggle.hidden = false;
            toggle.addEventListener('click', () => {
                paused = !paused;
                toggle.textContent = paused ? 'Resume' : 'Pause';
                toggle.setAttribute('aria-pressed', String(paused));
                if (!paused && held.length) {
                    appendLines(logLines, held, max);
                    held = [];
                }
                say(paused ? 'Paused' : 'Live');
            });
        }
        window.addEventListener('pagehide', () => stream.close());
    }
})();
