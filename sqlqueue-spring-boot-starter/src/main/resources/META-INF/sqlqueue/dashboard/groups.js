// The page of a batch or workflow: its counts, callbacks and members, a workflow's steps drawn as a graph
// (levels left to right by how deep a step's dependencies go), and Cancel.
(function () {
	'use strict';

	const { STATES, routes, el, show, get, actionButton, jobLink, stateBadge, unchanged } = window.sqlqueueDashboard;
	const SVG = 'http://www.w3.org/2000/svg';
	const BOX = { width: 170, height: 46, across: 70, down: 18 };

	// Builds an SVG element; like el(), every value is set as an attribute or text, never as markup.
	function svg(tag, attrs, ...children) {
		const node = document.createElementNS(SVG, tag);
		Object.entries(attrs || {}).forEach(([name, value]) => node.setAttribute(name, String(value)));
		children.forEach((child) => node.appendChild(child instanceof Node ? child : document.createTextNode(String(child))));
		return node;
	}

	// Each step's level: 0 without dependencies, else one more than its deepest dependency. A dependency not listed
	// (beyond the members shown) counts as level 0.
	function levels(steps) {
		const byName = new Map(steps.map((step) => [step.step, step]));
		const level = new Map();
		const visit = (name, seen) => {
			if (level.has(name)) {
				return level.get(name);
			}
			const step = byName.get(name);
			if (!step || seen.has(name)) {
				return -1;
			}
			seen.add(name);
			const depth = 1 + Math.max(-1, ...step.after.map((after) => visit(after, seen)));
			level.set(name, depth);
			return depth;
		};
		steps.forEach((step) => visit(step.step, new Set()));
		return level;
	}

	function graph(steps) {
		const level = levels(steps);
		const columns = [];
		steps.forEach((step) => {
			const column = level.get(step.step);
			(columns[column] = columns[column] || []).push(step);
		});
		const place = new Map();
		columns.forEach((column, x) => column.forEach((step, y) => place.set(step.step,
			{ x: 10 + x * (BOX.width + BOX.across), y: 10 + y * (BOX.height + BOX.down) })));
		const width = 20 + columns.length * (BOX.width + BOX.across) - BOX.across;
		const height = 20 + Math.max(...columns.map((column) => column.length)) * (BOX.height + BOX.down) - BOX.down;
		const edges = svg('g', { class: 'edges' });
		steps.forEach((step) => step.after.filter((after) => place.has(after)).forEach((after) => {
			const from = place.get(after);
			const to = place.get(step.step);
			const x1 = from.x + BOX.width;
			const y1 = from.y + BOX.height / 2;
			const x2 = to.x;
			const y2 = to.y + BOX.height / 2;
			edges.appendChild(svg('path', { class: 'edge', 'data-edge': after + '->' + step.step,
				d: 'M' + x1 + ',' + y1 + ' C' + (x1 + BOX.across / 2) + ',' + y1 + ' ' + (x2 - BOX.across / 2) + ',' + y2 + ' ' + x2 + ',' + y2 }));
		}));
		const boxes = steps.map((step) => {
			const at = place.get(step.step);
			return svg('a', { href: '#/jobs/' + step.id, class: 'step ' + step.state, 'data-step': step.step, 'data-state': step.state },
				svg('title', {}, step.step + ' (' + step.type + '): ' + step.state + (step.error ? ' — ' + step.error : '')),
				svg('rect', { x: at.x, y: at.y, width: BOX.width, height: BOX.height, rx: 6 }),
				svg('text', { x: at.x + 10, y: at.y + 19, class: 'name' }, clip(step.step, 20)),
				svg('text', { x: at.x + 10, y: at.y + 36, class: 'state' }, step.state.toLowerCase() + ' · ' + clip(step.type, 14)));
		});
		return el('div', { class: 'graph' }, svg('svg', { id: 'workflow-graph', width, height, viewBox: '0 0 ' + width + ' ' + height,
			role: 'img', 'aria-label': 'the workflow\'s steps and what each waits for' }, edges, ...boxes));
	}

	function clip(text, length) {
		return text.length > length ? text.substring(0, length - 1) + '…' : text;
	}

	function memberRows(members, withAfter) {
		return members.map((member) => el('tr', { 'data-member': member.id },
			el('td', {}, jobLink(member.id)), el('td', {}, member.step || '–'), el('td', {}, member.type),
			el('td', {}, stateBadge(member.state)), withAfter ? el('td', {}, member.after.join(', ') || '–') : null,
			el('td', {}, member.error ? el('code', {}, member.error) : '–')));
	}

	async function group(id) {
		const data = await get('groups/' + encodeURIComponent(id));
		if (unchanged('group', data)) {
			return;
		}
		const workflow = data.kind === 'WORKFLOW';
		const status = data.cancelled ? 'cancelled' : data.finishedAt ? 'finished' : 'running';
		const steps = data.members.filter((member) => member.step);
		const cards = el('div', { class: 'cards', id: 'group-counts' },
			el('div', { class: 'card' }, el('div', { class: 'muted' }, 'members'), el('div', { class: 'value', 'data-count': 'total' }, data.total)),
			STATES.map((state) => el('div', { class: 'card' }, el('div', { class: 'muted' }, state.toLowerCase()),
				el('div', { class: 'value', 'data-count': state }, data.counts[state]))));
		show(el('h1', {}, (workflow ? 'Workflow' : 'Batch') + ' #' + data.id + ' ' + data.name + ' ',
			el('span', { class: 'badge ' + status, id: 'group-status' }, status)),
		el('div', { class: 'actions', id: 'group-actions' }, data.actions.includes('cancel')
			? actionButton('Cancel', 'groups/' + data.id + '/cancel', null, { id: 'cancel', danger: true,
				confirm: 'Cancel ' + (workflow ? 'workflow' : 'batch') + ' #' + data.id + '? Its jobs that have not run are cancelled, '
					+ 'and none of its callbacks runs.' }) : null),
		cards,
		el('dl', { class: 'fields' }, el('dt', {}, 'created'), el('dd', {}, data.createdAt),
			el('dt', {}, 'finished'), el('dd', { id: 'group-finished' }, data.finishedAt || '–')),
		workflow && steps.length ? [el('h2', {}, 'Steps'), graph(steps)] : null,
		el('h2', {}, 'Callbacks'),
		el('table', { id: 'group-callbacks' },
			el('thead', {}, el('tr', {}, ['job', 'when', 'type', 'state', 'error'].map((t) => el('th', {}, t)))),
			el('tbody', {}, data.callbacks.length ? memberRows(data.callbacks, false)
				: el('tr', {}, el('td', { colspan: 5, class: 'empty' }, 'No callback')))),
		el('h2', {}, workflow ? 'Steps and members' : 'Members'),
		el('table', { id: 'group-members' },
			el('thead', {}, el('tr', {}, ['job', 'step', 'type', 'state', workflow ? 'after' : null, 'error']
				.filter((t) => t !== null).map((t) => el('th', {}, t)))),
			el('tbody', {}, memberRows(data.members, workflow))),
		data.moreMembers ? el('p', { class: 'muted' }, 'The first ' + data.members.length + ' of ' + data.total
			+ ' members; the counts above cover them all.') : null);
	}

	routes.push([/^#\/groups\/(\d+)$/, null, (match) => group(match[1])]);
}());
