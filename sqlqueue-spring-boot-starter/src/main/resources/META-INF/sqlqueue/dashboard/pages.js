// The dashboard's pages but the jobs list: overview, queues, job detail, recurring jobs, nodes, dead letter.
(function () {
	'use strict';

	const { STATES, session, routes, el, show, get, act, actionButton, age, jobLink, stateBadge, pausedBadge,
		unchanged } = window.sqlqueueDashboard;
	let chart = null;

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

	function attempts(list) {
		if (!list.length) {
			return el('p', { id: 'job-attempts', class: 'muted' }, 'No attempt failed.');
		}
		const outcomes = { READY: 'retried', DEAD: 'dead', CANCELLED: 'cancelled' };
		return el('table', { id: 'job-attempts' },
			el('thead', {}, el('tr', {}, ['#', 'outcome', 'node', 'ended at', 'error'].map((t) => el('th', {}, t)))),
			el('tbody', {}, list.map((attempt) => el('tr', { 'data-attempt': attempt.attempt },
				el('td', { class: 'num' }, attempt.attempt), el('td', {}, outcomes[attempt.outcome] || attempt.outcome),
				el('td', {}, attempt.node || '–'), el('td', {}, attempt.endedAt),
				el('td', { class: 'attempt-error' }, el('code', {}, attempt.error),
					attempt.stackTrace ? el('details', {}, el('summary', {}, 'stack trace'), el('pre', {}, attempt.stackTrace)) : null)))));
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
				[el('dt', {}, 'parent'), el('dd', { id: 'job-parent' }, data.parentId ? jobLink(data.parentId) : '–')],
				data.batchId || data.callbackFor ? [el('dt', {}, data.callbackFor ? 'callback of' : 'member of'),
					el('dd', { id: 'job-group' }, el('a', { href: '#/groups/' + (data.callbackFor || data.batchId),
						'data-group': data.callbackFor || data.batchId }, 'batch or workflow #' + (data.callbackFor || data.batchId)),
					data.step ? ' · ' + (data.callbackFor ? data.step : 'step ' + data.step) : null)] : null),
			data.children.length ? [el('h2', {}, 'Children'), el('table', { id: 'job-children' }, el('tbody', {},
				data.children.map((child) => el('tr', {}, el('td', {}, jobLink(child.id)), el('td', {}, child.type),
					el('td', {}, stateBadge(child.state)), el('td', {}, child.createdAt))))),
			data.moreChildren ? el('p', {}, el('a', { href: window.sqlqueueDashboard.jobsHash({ parent: String(data.id) }) }, 'all children →')) : null]
				: null,
			el('h2', {}, 'Payload'), el('pre', { id: 'job-payload' }, data.payload === null ? '–' : data.payload),
			el('h2', {}, 'Result'), el('pre', { id: 'job-result' }, data.result === null ? '–' : data.result),
			metadata.length ? [el('h2', {}, 'Metadata'), el('dl', { class: 'fields' }, metadata)] : null,
			el('h2', {}, 'Last error'), el('pre', { id: 'job-error' }, data.lastError === null ? '–' : data.lastError),
			el('h2', {}, 'Failed attempts'), attempts(data.attempts),
			el('h2', {}, 'Logs'), el('pre', { id: 'job-logs' }, data.logs.length ? data.logs.join('\n') : '–'));
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
		// The count's time moves on at every sample while the groups stay the same: it is updated in place, so
		// that a refresh does not replace the rows and links the user is about to click.
		const countedAt = document.getElementById('dead-counted-at');
		if (unchanged('dead', { ...data, countedAt: null })) {
			if (countedAt) {
				countedAt.textContent = data.countedAt;
			}
			return;
		}
		const queuesWithDead = [...new Set(data.groups.map((group) => group.queue))];
		const rows = data.groups.map((group) => el('tr', { 'data-group': group.type },
			el('td', {}, group.queue), el('td', {}, group.type), el('td', {}, el('code', {}, group.error)),
			el('td', { class: 'num' }, group.count),
			el('td', { class: 'ids' }, jobLink(group.newestId)),
			el('td', {}, actionButton('Replay group', 'dead/groups/replay', { queue: group.queue, type: group.type, error: group.error },
				{ id: 'replay-group', confirm: 'Replay ' + group.count + ' dead jobs of ' + group.type + '?' }))));
		show(el('h1', {}, 'Dead letter'),
			el('div', { class: 'actions' }, queuesWithDead.map((queue) => actionButton('Replay all of ' + queue,
				'dead/queues/' + encodeURIComponent(queue) + '/replay', null,
				{ id: 'replay-queue', confirm: 'Replay every dead job of queue ' + queue + '?' }))),
			el('table', { id: 'dead-groups' },
				el('thead', {}, el('tr', {}, ['queue', 'type', 'error', 'jobs', 'newest', ''].map((t) => el('th', {}, t)))),
				el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: 6, class: 'empty' }, 'No dead jobs')))),
			el('p', { class: 'muted' }, 'Every dead job, grouped by queue, type and the first line of its last error, as counted at ',
				el('span', { id: 'dead-counted-at' }, data.countedAt),
				' (again at most once per sample interval, and after each action). '
				+ (data.truncated ? 'Only the largest groups are listed: errors differ too much to list them all. ' : '')
				+ 'Replaying a queue replays all of its dead jobs.'));
	}

	routes.push([/^#?\/?$/, 'overview', overview], [/^#\/queues$/, 'queues', queues], [/^#\/dead$/, 'dead', dead],
		[/^#\/recurring$/, 'recurring', recurring], [/^#\/nodes$/, 'nodes', nodes],
		[/^#\/jobs\/(\d+)$/, null, (match) => job(match[1])]);
}());
