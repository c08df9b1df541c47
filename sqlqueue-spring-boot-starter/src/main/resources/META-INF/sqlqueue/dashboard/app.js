// The sqlqueue dashboard. Every value from the server is put in the page as text (textContent, never innerHTML):
// payloads, errors and type names are data, not markup.
(function () {
	'use strict';

	const STATES = ['READY', 'WAITING', 'RUNNING', 'SUCCEEDED', 'DEAD', 'CANCELLED'];
	const page = document.getElementById('page');
	const session = { canAct: false, refreshMillis: 5000 };
	let live = true;
	let timer = null;
	let chart = null;
	let route = null;
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
		refresh();
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

	// Overview
	async function overview() {
		const data = await get('overview');
		if (unchanged('overview', data)) {
			return;
		}
		const total = (state) => data.queues.reduce((sum, queue) => sum + queue.counts[state], 0);
		const cards = el('div', { class: 'cards' },
			['READY', 'RUNNING', 'DEAD'].map((state) => el('div', { class: 'card' },
				el('div', { class: 'muted' }, state.toLowerCase()), el('div', { class: 'value', id: 'total-' + state }, total(state)))),
			el('div', { class: 'card' }, el('div', { class: 'muted' }, 'nodes alive'),
				el('div', { class: 'value', id: 'nodes-alive' }, data.nodesAlive)));
		const rows = data.queues.map((queue) => el('tr', { 'data-queue': queue.name },
			el('td', {}, el('a', { href: '#/jobs?queue=' + encodeURIComponent(queue.name) }, queue.name)),
			STATES.map((state) => el('td', { class: 'num', 'data-count': state }, queue.counts[state])),
			el('td', { class: 'num' }, age(queue.oldestDueSeconds)),
			el('td', {}, pausedBadge(queue.paused))));
		const table = el('table', { id: 'queues' },
			el('thead', {}, el('tr', {}, el('th', {}, 'Queue'), STATES.map((s) => el('th', { class: 'num' }, s.toLowerCase())),
				el('th', { class: 'num' }, 'oldest due'), el('th', {}, ''))),
			el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: 9, class: 'empty' }, 'No jobs yet'))));
		const chartBox = el('div', { class: 'chart', id: 'throughput' });
		show(el('h1', {}, 'Overview'), cards, table,
			el('h2', {}, 'Outcomes per minute on this node, last hour'), chartBox,
			el('p', { class: 'muted' }, 'Counts sampled ' + (data.sampledAt ? new Date(data.sampledAt).toLocaleTimeString() : 'not yet')
				+ ', every ' + Math.round(data.sampleIntervalMillis / 1000 * 10) / 10 + ' s.'));
		drawChart(chartBox, data.throughput);
	}

	function drawChart(box, series) {
		if (!window.uPlot) {
			box.textContent = 'Chart library not loaded';
			return;
		}
		const values = [series.minutes, series.succeeded, series.retried, series.dead];
		if (chart && chart.root.isConnected) {
			chart.setData(values);
			return;
		}
		if (chart) {
			chart.destroy();
		}
		chart = new window.uPlot({
			width: Math.max(320, Math.min(1240, page.clientWidth - 20)), height: 220,
			series: [{}, { label: 'succeeded', stroke: '#067647', width: 2 }, { label: 'retried', stroke: '#b54708', width: 2 },
				{ label: 'dead', stroke: '#b42318', width: 2 }],
			axes: [{}, { size: 50 }],
			scales: { y: { range: (u, min, max) => [0, Math.max(5, max)] } }
		}, values, box);
	}

	// Queues
	async function queues() {
		const data = await get('queues');
		if (unchanged('queues', data)) {
			return;
		}
		const rows = data.map((queue) => {
			const global = el('input', { class: 'limit', type: 'number', min: 1, value: queue.globalConcurrency, 'data-limit': 'global',
				disabled: !session.canAct, 'aria-label': 'global concurrency of ' + queue.name });
			const key = el('input', { class: 'limit', type: 'number', min: 1, value: queue.keyConcurrency, 'data-limit': 'key',
				disabled: !session.canAct, 'aria-label': 'per key concurrency of ' + queue.name });
			const rate = el('input', { class: 'limit', type: 'text', placeholder: '100/1m', value: queue.rateLimit, 'data-limit': 'rate',
				disabled: !session.canAct, 'aria-label': 'rate limit of ' + queue.name });
			const number = (input) => (input.value === '' ? null : Number(input.value));
			const save = session.canAct ? el('button', { type: 'button', 'data-action': 'limits', onclick: () => act('Limits of ' + queue.name,
				'queues/' + encodeURIComponent(queue.name) + '/limits',
				{ globalConcurrency: number(global), keyConcurrency: number(key), rateLimit: rate.value })() }, 'Save limits') : null;
			return el('tr', { 'data-queue': queue.name },
				el('td', {}, queue.name), el('td', {}, pausedBadge(queue.paused)),
				el('td', { class: 'num' }, queue.counts.READY), el('td', { class: 'num' }, queue.counts.RUNNING),
				el('td', {}, global), el('td', {}, key), el('td', {}, rate), el('td', {}, save),
				el('td', {}, queue.paused
					? actionButton('Resume', 'queues/' + encodeURIComponent(queue.name) + '/resume', null, { id: 'resume' })
					: actionButton('Pause', 'queues/' + encodeURIComponent(queue.name) + '/pause', null, { id: 'pause' })));
		});
		show(el('h1', {}, 'Queues'), el('table', { id: 'queue-controls' },
			el('thead', {}, el('tr', {}, ['Queue', '', 'ready', 'running', 'global concurrency', 'per key', 'rate limit', '', '']
				.map((title) => el('th', {}, title)))),
			el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: 9, class: 'empty' }, 'No queues yet')))),
		el('p', { class: 'muted' }, 'A paused queue keeps its jobs: no node claims them until it is resumed; running jobs finish. '
			+ 'Empty limit fields mean no limit.'));
	}

	// Job detail
	function field(name, value, id) {
		return [el('dt', {}, name), el('dd', { id: id }, value === null || value === undefined || value === '' ? '–' : value)];
	}

	async function job(id) {
		const data = await get('jobs/' + encodeURIComponent(id));
		if (unchanged('job', data)) {
			return;
		}
		const labels = { retry: 'Replay', cancel: 'Cancel', kill: 'Kill' };
		const actions = data.actions.map((action) => actionButton(labels[action] || action,
			'jobs/' + data.id + '/' + action, null, { id: action, danger: action !== 'retry',
				confirm: action === 'kill' ? 'Kill job #' + data.id + '? It goes to the dead letter.' : null }));
		const metadata = Object.entries(data.metadata).map(([key, value]) => field(key, value));
		show(el('h1', {}, 'Job #' + data.id + ' ', stateBadge(data.state)),
			el('div', { class: 'actions', id: 'job-actions' }, actions),
			el('dl', { class: 'fields' },
				field('type', data.type, 'job-type'), field('queue', data.queue), field('state', data.state, 'job-state'),
				field('attempt', data.attempt + ' of ' + (data.maxAttempts === -1 ? 'unlimited' : data.maxAttempts)),
				field('priority', data.priority), field('created', data.createdAt), field('run at', data.runAt),
				field('finished', data.finishedAt), field('locked by', data.lockedBy), field('locked until', data.lockedUntil),
				field('unique key', data.uniqueKey), field('ordering key', data.orderingKey), field('concurrency key', data.concurrencyKey),
				[el('dt', {}, 'parent'), el('dd', { id: 'job-parent' }, data.parentId ? jobLink(data.parentId) : '–')]),
			data.children.length ? [el('h2', {}, 'Children'), el('table', { id: 'job-children' }, el('tbody', {},
				data.children.map((child) => el('tr', {}, el('td', {}, jobLink(child.id)), el('td', {}, child.type),
					el('td', {}, stateBadge(child.state)), el('td', {}, child.createdAt))))),
			data.moreChildren ? el('p', {}, el('a', { href: jobsHash({ parent: String(data.id) }) }, 'all children →')) : null]
				: null,
			el('h2', {}, 'Payload'), el('pre', { id: 'job-payload' }, data.payload === null ? '–' : data.payload),
			el('h2', {}, 'Result'), el('pre', { id: 'job-result' }, data.result === null ? '–' : data.result),
			metadata.length ? [el('h2', {}, 'Metadata'), el('dl', { class: 'fields' }, metadata)] : null,
			el('h2', {}, 'Last error'), el('pre', { id: 'job-error' }, data.lastError === null ? '–' : data.lastError),
			el('h2', {}, 'Logs'), el('pre', { id: 'job-logs' }, data.logs.length ? data.logs.join('\n') : '–'));
	}

	// Jobs
	const selected = new Set();

	function jobsFilter(query) {
		const params = new URLSearchParams(query || '');
		return { queue: params.get('queue') || '', state: params.get('state') || '', type: params.get('type') || '',
			uniqueKey: params.get('uniqueKey') || '', parent: params.get('parent') || '', before: params.get('before') || '' };
	}

	function jobsHash(filter) {
		const params = new URLSearchParams();
		Object.entries(filter).forEach(([key, value]) => {
			if (value) {
				params.set(key, value);
			}
		});
		const query = params.toString();
		return '#/jobs' + (query ? '?' + query : '');
	}

	function bulkSelected(action, label) {
		return actionButton(label + ' selected', 'jobs/bulk', null, { id: 'bulk-' + action, danger: action !== 'retry',
			onclick: async () => {
				if (!selected.size) {
					message('Select jobs first');
					return;
				}
				if (!window.confirm(label + ' ' + selected.size + ' selected jobs?')) {
					return;
				}
				await run(label + ' selected', 'jobs/bulk', { action, ids: [...selected] });
				selected.clear();
			} });
	}

	function bulkMatching(action, label, filter) {
		const body = { queue: filter.queue, state: filter.state, type: filter.type, uniqueKey: filter.uniqueKey,
			parent: filter.parent ? Number(filter.parent) : null };
		return actionButton(label + ' all matching', null, null, { id: 'matching-' + action, danger: action !== 'retry',
			onclick: async () => {
				let count;
				try {
					count = await post('jobs/matching/count', body);
				}
				catch (error) {
					message('Counting failed: ' + error.message);
					return;
				}
				if (!count.count) {
					message('No job matches this filter');
					return;
				}
				if (window.confirm(label + ' ' + (count.capped ? 'the first ' : '') + count.count
					+ ' jobs matching this filter?')) {
					await run(label + ' all matching', 'jobs/matching/' + action, body);
				}
			} });
	}

	async function jobsList(match) {
		const filter = jobsFilter(match[1]);
		const params = new URLSearchParams(jobsHash(filter).substring('#/jobs'.length + 1));
		const data = await get('jobs' + (params.toString() ? '?' + params : ''));
		if (unchanged('jobs' + JSON.stringify(filter), data)) {
			return;
		}
		const input = (name, placeholder) => el('input', { type: 'text', name, placeholder, value: filter[name],
			'aria-label': placeholder });
		const stateSelect = el('select', { name: 'state', 'aria-label': 'state' }, el('option', { value: '' }, 'any state'),
			STATES.map((state) => el('option', { value: state, selected: filter.state === state }, state.toLowerCase())));
		const form = el('form', { id: 'jobs-filter', class: 'filters', onsubmit: (event) => {
			event.preventDefault();
			const chosen = Object.fromEntries(new FormData(event.target).entries());
			selected.clear();
			window.location.hash = jobsHash({ ...chosen, before: '' });
		} }, input('queue', 'queue'), stateSelect, input('type', 'type'), input('uniqueKey', 'unique key'),
			filter.parent ? el('input', { type: 'hidden', name: 'parent', value: filter.parent }) : null,
			el('button', { type: 'submit', class: 'primary' }, 'Filter'));
		const rows = data.jobs.map((job) => {
			const box = el('input', { type: 'checkbox', 'data-select': job.id, checked: selected.has(job.id),
				'aria-label': 'select job ' + job.id, disabled: !session.canAct });
			box.addEventListener('change', () => (box.checked ? selected.add(job.id) : selected.delete(job.id)));
			return el('tr', { 'data-job-row': job.id }, el('td', {}, box), el('td', {}, jobLink(job.id)), el('td', {}, job.queue),
				el('td', {}, job.type), el('td', {}, stateBadge(job.state)), el('td', { class: 'num' }, job.attempt),
				el('td', {}, job.createdAt), el('td', {}, job.error));
		});
		const pager = el('div', { class: 'actions' },
			filter.before ? el('a', { href: jobsHash({ ...filter, before: '' }) }, '← newest') : null,
			data.next ? el('a', { id: 'older', href: jobsHash({ ...filter, before: data.next }) }, 'older →') : null);
		show(el('h1', {}, filter.parent ? 'Children of job #' + filter.parent : 'Jobs'), form,
			el('div', { class: 'actions' }, bulkSelected('retry', 'Retry'), bulkSelected('cancel', 'Cancel'),
				bulkSelected('delete', 'Delete'), bulkMatching('retry', 'Retry', filter), bulkMatching('cancel', 'Cancel', filter),
				bulkMatching('delete', 'Delete', filter)),
			el('table', { id: 'jobs' },
				el('thead', {}, el('tr', {}, ['', 'id', 'queue', 'type', 'state', 'attempt', 'created', 'last error']
					.map((t) => el('th', {}, t)))),
				el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: 8, class: 'empty' }, 'No job matches')))),
			pager,
			el('p', { class: 'muted' }, 'Newest first. Retry replays dead jobs, cancel stops waiting or running ones, '
				+ 'delete removes finished ones; jobs in another state are skipped.'));
	}

	// Recurring jobs
	async function recurring() {
		const data = await get('recurring');
		if (unchanged('recurring', data)) {
			return;
		}
		const rows = data.map((schedule) => el('tr', { 'data-schedule': schedule.name },
			el('td', {}, schedule.name), el('td', {}, el('code', {}, schedule.cron)), el('td', {}, schedule.zone),
			el('td', {}, schedule.type || '–'), el('td', { 'data-next': '' }, schedule.nextRunAt || 'not stored yet'),
			el('td', {}, schedule.lastJobId ? jobLink(schedule.lastJobId) : '–'),
			el('td', {}, schedule.enqueueHere ? actionButton('Enqueue now', 'recurring/' + encodeURIComponent(schedule.name)
				+ '/enqueue', null, { id: 'enqueue', confirm: 'Enqueue a job of ' + schedule.name + ' now?' }) : null)));
		show(el('h1', {}, 'Recurring jobs'), el('table', { id: 'schedules' },
			el('thead', {}, el('tr', {}, ['schedule', 'cron', 'zone', 'type', 'next tick', 'last job', '']
				.map((t) => el('th', {}, t)))),
			el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: 7, class: 'empty' }, 'No recurring schedule')))),
		el('p', { class: 'muted' }, 'Enqueue now adds one job as the schedule would, without moving its next tick.'));
	}

	// Nodes
	async function nodes() {
		const data = await get('nodes');
		if (unchanged('nodes', data)) {
			return;
		}
		const rows = data.map((node) => el('tr', { 'data-node': node.id },
			el('td', {}, node.id), el('td', {}, el('span', { class: node.alive ? 'badge running' : 'badge DEAD' },
				node.alive ? 'alive' : 'gone')),
			el('td', { class: 'slots' }, Object.entries(node.queues).map(([queue, slots]) => el('div', {},
				queue + ': ' + slots.busy + ' busy, ' + (slots.concurrency - slots.busy) + ' free'))),
			el('td', {}, node.version), el('td', {}, node.startedAt), el('td', {}, node.lastSeenAt),
			el('td', {}, node.jobTypes.join(', '))));
		show(el('h1', {}, 'Nodes'), el('table', { id: 'nodes' },
			el('thead', {}, el('tr', {}, ['node', '', 'handler slots', 'version', 'started', 'last seen', 'job types']
				.map((t) => el('th', {}, t)))),
			el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: 7, class: 'empty' }, 'No worker node recorded itself')))),
		el('p', { class: 'muted' }, 'Each worker heartbeats a row; a node that stops heartbeating is gone and its running jobs '
			+ 'are given back. Gone nodes are listed for an hour.'));
	}

	// Dead letter
	async function dead() {
		const data = await get('dead');
		if (unchanged('dead', data)) {
			return;
		}
		const queuesWithDead = [...new Set(data.groups.map((group) => group.queue))];
		const rows = data.groups.map((group) => el('tr', { 'data-group': group.type },
			el('td', {}, group.queue), el('td', {}, group.type), el('td', {}, el('code', {}, group.error)),
			el('td', { class: 'num' }, group.count),
			el('td', { class: 'ids' }, group.ids.slice(0, 5).map(jobLink), group.ids.length > 5 ? '…' : null),
			el('td', {}, actionButton('Replay group', 'dead/replay', { ids: group.ids },
				{ id: 'replay-group', confirm: 'Replay ' + group.count + ' dead jobs of ' + group.type + '?' }))));
		show(el('h1', {}, 'Dead letter'),
			el('div', { class: 'actions' }, queuesWithDead.map((queue) => actionButton('Replay all of ' + queue,
				'dead/queues/' + encodeURIComponent(queue) + '/replay', null,
				{ id: 'replay-queue', confirm: 'Replay every dead job of queue ' + queue + '?' }))),
			el('table', { id: 'dead-groups' },
				el('thead', {}, el('tr', {}, ['queue', 'type', 'error', 'jobs', 'examples', ''].map((t) => el('th', {}, t)))),
				el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: 6, class: 'empty' }, 'No dead jobs')))),
			data.truncated ? el('p', { class: 'muted' }, 'Grouped from the newest ' + data.scanned + ' dead jobs; '
				+ 'replaying a queue replays all of its dead jobs.') : null);
	}

	const pages = [
		[/^#?\/?$/, 'overview', overview],
		[/^#\/queues$/, 'queues', queues],
		[/^#\/dead$/, 'dead', dead],
		[/^#\/jobs(?:\?(.*))?$/, 'jobs', jobsList],
		[/^#\/recurring$/, 'recurring', recurring],
		[/^#\/nodes$/, 'nodes', nodes],
		[/^#\/jobs\/(\d+)$/, null, (match) => job(match[1])]
	];

	async function refresh() {
		const hash = window.location.hash;
		for (const [pattern, name, render] of pages) {
			const match = pattern.exec(hash);
			if (match) {
				document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.page === name));
				try {
					await render(match);
					document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
					document.body.dataset.loaded = String(Date.now());
				}
				catch (error) {
					shown = null;
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
		else if (text) {
			window.location.hash = jobsHash({ uniqueKey: text });
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
