// The dashboard's router: draws the page the fragment names, refreshes it while live, and starts with the session.
(function () {
	'use strict';

	const ui = window.sqlqueueDashboard;
	const { session, routes, el, show, message, get, forget } = ui;
	let live = true;
	let timer = null;
	let route = null;

	ui.refresh = refresh;

	async function refresh() {
		const hash = window.location.hash;
		for (const [pattern, name, render] of routes) {
			const match = pattern.exec(hash);
			if (match) {
				document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.page === name));
				try {
					await render(match);
					document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
					document.body.dataset.loaded = String(Date.now());
				}
				catch (error) {
					forget();
					show(el('h1', {}, 'Could not load this page'), el('p', {}, error.message));
				}
				return;
			}
		}
		show(el('h1', {}, 'No such page'));
	}

	function schedule() {
		window.clearInterval(timer);
		timer = live ? window.setInterval(() => {
			// A page with an input being edited is not redrawn under the user's hands.
			if (!document.activeElement || !['INPUT', 'SELECT'].includes(document.activeElement.tagName)) {
				refresh();
			}
		}, session.refreshMillis) : null;
	}

	document.getElementById('live-toggle').addEventListener('click', (event) => {
		live = !live;
		event.target.textContent = live ? 'Pause updates' : 'Resume updates';
		event.target.setAttribute('aria-pressed', String(live));
		schedule();
	});
	document.getElementById('find-job').addEventListener('submit', (event) => {
		event.preventDefault();
		const box = document.getElementById('find-job-id');
		const text = box.value.trim();
		box.value = '';
		if (/^\d+$/.test(text)) {
			window.location.hash = '#/jobs/' + text;
		}
		else if (/^[^=]+=/.test(text)) {
			window.location.hash = ui.jobsHash({ metadata: text });
		}
		else if (text) {
			window.location.hash = ui.jobsHash({ uniqueKey: text });
		}
	});
	window.addEventListener('hashchange', () => {
		message('');
		if (route !== window.location.hash) {
			route = window.location.hash;
			refresh();
		}
	});

	get('session').then((data) => {
		Object.assign(session, data);
		document.getElementById('user').textContent = data.user + (data.canAct ? '' : ' · read only');
	}).catch(() => {
		// reads still work; actions stay hidden
	}).finally(() => {
		route = window.location.hash;
		refresh();
		schedule();
	});
}());
