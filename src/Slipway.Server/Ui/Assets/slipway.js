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
                        if (dirty(region)) { stale = true; continue; }
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
})();
