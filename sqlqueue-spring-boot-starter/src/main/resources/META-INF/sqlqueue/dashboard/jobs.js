// The dashboard's jobs list: a filter, newest first, keyset pages, and bulk actions.
(function () {
	'use strict';

	const { STATES, session, routes, el, show, message, get, post, run, actionButton, jobLink, stateBadge,
		unchanged } = window.sqlqueueDashboard;

	// Jobs
	const selected = new Set();

	function jobsFilter(query) {
		const params = new URLSearchParams(query || '');
		return { queue: params.get('queue') || '', state: params.get('state') || '', type: params.get('type') || '',
			uniqueKey: params.get('uniqueKey') || '', metadata: params.get('metadata') || '', parent: params.get('parent') || '',
			before: params.get('before') || '' };
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
			metadata: filter.metadata, parent: filter.parent ? Number(filter.parent) : null };
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
			input('metadata', 'metadata key=value'),
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

	window.sqlqueueDashboard.jobsHash = jobsHash;
	routes.push([/^#\/jobs(?:\?(.*))?$/, 'jobs', jobsList]);
}());
