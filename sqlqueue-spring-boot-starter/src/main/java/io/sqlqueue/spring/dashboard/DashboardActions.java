package io.sqlqueue.spring.dashboard;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import io.sqlqueue.Job;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobQueue;
import io.sqlqueue.JobState;
import io.sqlqueue.QueueLimits;
import io.sqlqueue.RateLimit;

/**
 * The dashboard's actions: POSTs only (so Spring Security's CSRF protection covers them), each allowed by
 * {@link DashboardRequests} and logged with the user and the jobs it touched.
 */
@RestController
@RequestMapping("${sqlqueue.dashboard.path:/sqlqueue}/api")
class DashboardActions {

	/** The most jobs one replay of a selection may name. */
	static final int MAX_SELECTION = 10_000;

	private final JobQueue jobs;

	private final DashboardRequests requests;

	private final DashboardDeadLetter deadLetter;

	DashboardActions(JobQueue jobs, DashboardRequests requests, DashboardDeadLetter deadLetter) {
		this.jobs = jobs;
		this.requests = requests;
		this.deadLetter = deadLetter;
	}

	@PostMapping("/queues/{queue}/pause")
	Map<String, Object> pause(@PathVariable String queue, HttpServletRequest request) {
		this.requests.requireAction(request, "pause");
		this.jobs.pauseQueue(JobQueue.validateQueueName(queue));
		this.requests.logAction(request, "paused", "queue " + queue, null);
		return Map.of("queue", queue, "paused", true);
	}

	@PostMapping("/queues/{queue}/resume")
	Map<String, Object> resume(@PathVariable String queue, HttpServletRequest request) {
		this.requests.requireAction(request, "resume");
		this.jobs.resumeQueue(JobQueue.validateQueueName(queue));
		this.requests.logAction(request, "resumed", "queue " + queue, null);
		return Map.of("queue", queue, "paused", false);
	}

	@PostMapping("/queues/{queue}/limits")
	Map<String, Object> limits(@PathVariable String queue, @RequestBody LimitsForm form, HttpServletRequest request) {
		this.requests.requireAction(request, "limits");
		QueueLimits limits = QueueLimits.none()
			.withGlobalConcurrency(form.globalConcurrency())
			.withKeyConcurrency(form.keyConcurrency())
			.withRateLimit((form.rateLimit() == null || form.rateLimit().isBlank()) ? null
					: RateLimit.parse(form.rateLimit()));
		this.jobs.updateQueueLimits(JobQueue.validateQueueName(queue), limits);
		this.requests.logAction(request, "set limits " + limits + " of", "queue " + queue, null);
		return Map.of("queue", queue);
	}

	@PostMapping("/jobs/{id}/{action}")
	Map<String, Object> jobAction(@PathVariable long id, @PathVariable String action, HttpServletRequest request) {
		this.requests.requireAction(request, action);
		boolean done = switch (action) {
			case "retry" -> this.jobs.retryDead(id);
			case "cancel" -> this.jobs.cancel(id);
			case "kill" -> this.jobs.kill(id, "Killed from the dashboard by " + DashboardRequests.user(request));
			default -> throw new ResponseStatusException(HttpStatus.NOT_FOUND, "No job action '" + action + "'");
		};
		this.deadLetter.forget();
		this.requests.logAction(request, action + (done ? "" : " (nothing to do)"), "", List.of(id));
		return Map.of("id", id, "done", done);
	}

	@PostMapping("/dead/replay")
	Map<String, Object> replay(@RequestBody SelectionForm form, HttpServletRequest request) {
		this.requests.requireAction(request, "replay");
		List<Long> ids = form.ids();
		if (ids == null || ids.isEmpty() || ids.size() > MAX_SELECTION) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"Name between 1 and " + MAX_SELECTION + " dead jobs to replay");
		}
		List<Long> replayed = new ArrayList<>();
		for (Long id : ids) {
			if (this.jobs.retryDead(id)) {
				replayed.add(id);
			}
		}
		this.deadLetter.forget();
		this.requests.logAction(request, "replayed", "dead", replayed);
		return Map.of("replayed", replayed.size());
	}

	/**
	 * Replays every dead job of a group of the dead letter page, found by its queue and type and matched on its error
	 * as the page groups it: up to {@value #MAX_SELECTION}.
	 */
	@PostMapping("/dead/groups/replay")
	Map<String, Object> replayGroup(@RequestBody GroupForm form, HttpServletRequest request) {
		this.requests.requireAction(request, "replay");
		List<Long> replayed = new ArrayList<>();
		JobQuery query = JobQuery.all().inQueue(JobQueue.validateQueueName(form.queue())).inState(JobState.DEAD)
			.ofType(JobQueue.validateType(form.type())).limit(500);
		List<Job> page;
		do {
			page = this.jobs.list(query);
			for (Job job : page) {
				if (replayed.size() < MAX_SELECTION && DashboardDeadLetter.groupError(job.lastError()).equals(form.error())
						&& this.jobs.retryDead(job.id())) {
					replayed.add(job.id());
				}
			}
			if (!page.isEmpty()) {
				query = query.afterId(page.get(page.size() - 1).id());
			}
		}
		while (page.size() == query.limit() && replayed.size() < MAX_SELECTION);
		this.deadLetter.forget();
		this.requests.logAction(request, "replayed", "dead " + form.type() + " of queue " + form.queue() + " failing with "
				+ form.error(), replayed);
		return Map.of("replayed", replayed.size());
	}

	@PostMapping("/dead/queues/{queue}/replay")
	Map<String, Object> replayQueue(@PathVariable String queue, HttpServletRequest request) {
		this.requests.requireAction(request, "replay");
		int replayed = this.jobs.retryDeadInQueue(JobQueue.validateQueueName(queue));
		this.deadLetter.forget();
		this.requests.logAction(request, "replayed " + replayed + " dead jobs of", "queue " + queue, null);
		return Map.of("replayed", replayed);
	}

	/** Limits as the queues page sends them; a blank field is no limit. */
	record LimitsForm(Integer globalConcurrency, Integer keyConcurrency, String rateLimit) {
	}

	/** A group of the dead letter page. */
	record GroupForm(String queue, String type, String error) {
	}

	/** Jobs chosen on a page. */
	record SelectionForm(List<Long> ids) {
	}

}
