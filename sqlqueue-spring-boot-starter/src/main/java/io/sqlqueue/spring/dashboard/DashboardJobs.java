package io.sqlqueue.spring.dashboard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongPredicate;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import io.sqlqueue.Job;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobQueue;
import io.sqlqueue.JobState;

/**
 * The jobs page: a filtered listing, newest first, paged by id (the primary key), and bulk actions on a selection
 * or on everything a filter matches.
 */
@RestController
@RequestMapping("${sqlqueue.dashboard.path:/sqlqueue}/api/jobs")
class DashboardJobs {

	/** The most jobs one bulk action touches; the page says so before it asks for confirmation. */
	static final int MAX_BULK = 100_000;

	private static final int PAGE = 1_000;

	private final JobQueue jobs;

	private final DashboardRequests requests;

	private final DashboardDeadLetter deadLetter;

	DashboardJobs(JobQueue jobs, DashboardRequests requests, DashboardDeadLetter deadLetter) {
		this.jobs = jobs;
		this.requests = requests;
		this.deadLetter = deadLetter;
	}

	@GetMapping
	Map<String, Object> list(@RequestParam(required = false) String queue, @RequestParam(required = false) String state,
			@RequestParam(required = false) String type, @RequestParam(required = false) String uniqueKey,
			@RequestParam(required = false) Long parent, @RequestParam(required = false) String metadata,
			@RequestParam(defaultValue = "0") long before, @RequestParam(defaultValue = "50") int limit) {
		JobQuery query = filter(new Filter(queue, state, type, uniqueKey, parent, metadata)).newestFirst()
			.beforeId(before)
			.limit(Math.min(Math.max(limit, 1), 500));
		List<Job> page = this.jobs.list(query);
		List<Map<String, Object>> rows = new ArrayList<>();
		page.forEach((job) -> rows.add(DashboardReads.summary(job)));
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("jobs", rows);
		answer.put("next", (page.size() == query.limit()) ? page.get(page.size() - 1).id() : null);
		return answer;
	}

	@PostMapping("/bulk")
	Map<String, Object> bulk(@RequestBody Selection selection, HttpServletRequest request) {
		this.requests.requireAction(request, selection.action());
		List<Long> ids = selection.ids();
		if (ids == null || ids.isEmpty() || ids.size() > MAX_BULK) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "Select between 1 and " + MAX_BULK + " jobs");
		}
		return apply(selection.action(), ids, request, "selected");
	}

	@PostMapping("/matching/count")
	Map<String, Object> countMatching(@RequestBody Filter filter) {
		int count = matching(filter).size();
		return Map.of("count", count, "capped", count == MAX_BULK);
	}

	@PostMapping("/matching/{action}")
	Map<String, Object> actOnMatching(@PathVariable String action, @RequestBody Filter filter,
			HttpServletRequest request) {
		this.requests.requireAction(request, action);
		operation(action);
		return apply(action, matching(filter), request, "matching " + filter.describe());
	}

	private Map<String, Object> apply(String action, List<Long> ids, HttpServletRequest request, String what) {
		LongPredicate operation = operation(action);
		List<Long> done = new ArrayList<>();
		for (long id : ids) {
			if (operation.test(id)) {
				done.add(id);
			}
		}
		this.deadLetter.forget();
		this.requests.logAction(request, action, what + " (" + done.size() + " of " + ids.size() + ")", done);
		return Map.of("done", done.size(), "skipped", ids.size() - done.size());
	}

	private LongPredicate operation(String action) {
		return switch (action) {
			case "retry" -> this.jobs::retryDead;
			case "cancel" -> this.jobs::cancel;
			case "delete" -> this.jobs::delete;
			default -> throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"No bulk action '" + action + "': use retry, cancel or delete");
		};
	}

	/** The ids of the jobs {@code filter} matches, oldest first, at most {@value #MAX_BULK}. */
	private List<Long> matching(Filter filter) {
		List<Long> ids = new ArrayList<>();
		JobQuery query = filter(filter).limit(PAGE);
		while (ids.size() < MAX_BULK) {
			List<Job> page = this.jobs.list(query.limit(Math.min(PAGE, MAX_BULK - ids.size())));
			page.forEach((job) -> ids.add(job.id()));
			if (page.size() < query.limit()) {
				break;
			}
			query = query.afterId(page.get(page.size() - 1).id());
		}
		return ids;
	}

	private static JobQuery filter(Filter filter) {
		JobQuery query = JobQuery.all()
			.inQueue(blankToNull(filter.queue()))
			.inState(state(filter.state()))
			.ofType(blankToNull(filter.type()))
			.withUniqueKey(blankToNull(filter.uniqueKey()));
		String metadata = blankToNull(filter.metadata());
		if (metadata != null) {
			int equals = metadata.indexOf('=');
			if (equals < 1) {
				throw new IllegalArgumentException("Find metadata as key=value, such as tenant=acme; was '" + metadata + "'");
			}
			query = query.withMetadata(metadata.substring(0, equals).strip(), metadata.substring(equals + 1).strip());
		}
		return (filter.parent() != null) ? query.childrenOf(filter.parent()) : query;
	}

	private static JobState state(String state) {
		String name = blankToNull(state);
		if (name == null) {
			return null;
		}
		try {
			return JobState.valueOf(name.toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("No job state '" + state + "'", ex);
		}
	}

	private static String blankToNull(String text) {
		return (text == null || text.isBlank()) ? null : text.strip();
	}

	/** A filter as the jobs page sends it; blank fields match everything. */
	record Filter(String queue, String state, String type, String uniqueKey, Long parent, String metadata) {

		String describe() {
			return "queue=" + this.queue + " state=" + this.state + " type=" + this.type + " uniqueKey=" + this.uniqueKey
					+ " parent=" + this.parent + " metadata=" + this.metadata;
		}

	}

	/** Jobs chosen on the page and what to do to them. */
	record Selection(String action, List<Long> ids) {
	}

}
