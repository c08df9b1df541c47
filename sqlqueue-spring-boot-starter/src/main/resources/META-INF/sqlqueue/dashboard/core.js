// The sqlqueue dashboard's building blocks, shared by its page scripts. Every value from the server is put in the
// page as text (textContent, never innerHTML): payloads, errors and type names are data, not markup.
(function () {
	'use strict';

	const STATES = ['READY', 'WAITING', 'RUNNING', 'SUCCEEDED', 'DEAD', 'CANCELLED'];
	const page = document.getElementById('page');
	const session = { canAct: false, refreshMillis: 5000 };
	// The routes the page scripts add: [pattern of the fragment, nav entry, render(match)].
	const routes = [];
	let shown = null;

	// Builds an element: el('td', {class: 'num'}, 'text', child, ...). Strings become text nodes.
	function el(tag, attrs, ...children) {
		const node = document.createElement(tag);
		Object.entries(attrs || {}).forEach(([name, value]) => {
			if (value === null || value === undefined || value === false) {
				return;
			}
			if (name.startsWith('on')) {
				node.addEventListener(name.substring(2), value);
			}
			else {
				node.setAttribute(name, value === true ? '' : String(value));
			}
		});
		children.flat().forEach((child) => {
			if (child === null || child === undefined) {
				return;
			}
			node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
		});
		return node;
	}

	// Whether the page already shows exactly this answer: then it is left alone, so that a refresh does not
	// replace what the user is about to click or has selected.
	function unchanged(key, data) {
		const json = key + JSON.stringify(data);
		if (json === shown) {
			return true;
		}
		shown = json;
		return false;
	}

	function show(...nodes) {
		page.replaceChildren(...nodes.flat().filter((node) => node !== null && node !== undefined));
	}

	function message(text, ok) {
		const box = document.getElementById('message');
		box.textContent = text;
		box.className = ok ? 'message ok' : 'message';
		box.hidden = !text;
	}

	async function get(path) {
		const response = await fetch('api/' + path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
		if (!response.ok) {
			throw new Error(response.status === 404 ? 'Not found' : 'The server answered ' + response.status);
		}
		return response.json();
	}

	async function post(path, body) {
		const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
		if (session.csrfHeader) {
			headers[session.csrfHeader] = session.csrfToken;
		}
		const response = await fetch('api/' + path, { method: 'POST', headers, credentials: 'same-origin',
			body: JSON.stringify(body || {}) });
		let answer = {};
		try {
			answer = await response.json();
		}
		catch (ignored) {
			// an error page without JSON
		}
		if (!response.ok) {
			throw new Error(answer.message || (response.status === 403 ? 'Not allowed' : 'The server answered ' + response.status));
		}
		return answer;
	}

	// Runs an action, reports its outcome and redraws the page.
	async function run(label, path, body) {
		try {
			const answer = await post(path, body);
			let outcome = '';
			if (answer.replayed !== undefined) {
				outcome = ': ' + answer.replayed + ' replayed';
			}
			else if (typeof answer.done === 'number') {
				outcome = ': ' + answer.done + ' jobs' + (answer.skipped ? ', ' + answer.skipped + ' skipped in another state' : '');
			}
			else if (answer.done === false) {
				outcome = ' (nothing to do in its state)';
			}
			message(label + ' done' + outcome, true);
		}
		catch (error) {
			message(label + ' failed: ' + error.message);
		}
		shown = null;
		ui.refresh();
	}

	function act(label, path, body, confirmText) {
		return async () => {
			if (confirmText && !window.confirm(confirmText)) {
				return;
			}
			await run(label, path, body);
		};
	}

	function actionButton(label, path, body, options) {
		if (!session.canAct) {
			return null;
		}
		const opts = options || {};
		return el('button', { type: 'button', class: opts.danger ? 'danger' : null, 'data-action': opts.id || label,
			onclick: opts.onclick || act(label, path, body, opts.confirm) }, label);
	}

	function age(seconds) {
		if (!seconds) {
			return '–';
		}
		if (seconds < 120) {
			return seconds + ' s';
		}
		if (seconds < 7200) {
			return Math.round(seconds / 60) + ' min';
		}
		return Math.round(seconds / 3600) + ' h';
	}

	function jobLink(id) {
		return el('a', { href: '#/jobs/' + encodeURIComponent(id), 'data-job': id }, '#' + id);
	}

	function stateBadge(state) {
		return el('span', { class: 'badge ' + state, 'data-state': state }, state);
	}

	function pausedBadge(paused) {
		return el('span', { class: paused ? 'badge paused' : 'badge running', 'data-paused': String(paused) },
			paused ? 'paused' : 'running');
	}

	// Forgets what the page shows, so that the next answer redraws it.
	function forget() {
		shown = null;
	}

	const ui = { STATES, session, routes, el, show, message, get, post, run, act, actionButton, age, jobLink, stateBadge,
		pausedBadge, unchanged, forget, refresh: () => undefined };
	window.sqlqueueDashboard = ui;
}());
