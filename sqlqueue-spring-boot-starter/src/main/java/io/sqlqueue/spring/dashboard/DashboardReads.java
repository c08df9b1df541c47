package io.sqlqueue.spring.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.BeanWrapperImpl;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.JobAttempt;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobQueue;
import io.sqlqueue.JobState;
import io.sqlqueue.NodeStatus;
import io.sqlqueue.QueueControl;
import io.sqlqueue.QueueLimits;
import io.sqlqueue.spring.QueueStatistics;

/**
 * The dashboard's JSON reads. Counts come from the shared {@link QueueStatistics} sample and the chart from
 * {@link DashboardThroughput}, both counted on the sampler's schedule; lists, single jobs with their attempts and the
 * dead letter's groups are read from the tables per view, by indexed keys.
 */
@RestController
@RequestMapping("${sqlqueue.dashboard.path:/sqlqueue}/api")
class DashboardReads {

	/** The most children shown on a job's page, the newest; the jobs page lists them all. */
	static final int CHILDREN = 20;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final JdbcJobQueue jobs;

	private final QueueStatistics statistics;

	private final DashboardThroughput throughput;

	private final DashboardRequests requests;

	private final DashboardProperties properties;

	private final DashboardDeadLetter deadLetter;

	DashboardReads(JdbcJobQueue jobs, QueueStatistics statistics, DashboardThroughput throughput,
			DashboardRequests requests, DashboardProperties properties, DashboardDeadLetter deadLetter) {
		this.jobs = jobs;
		this.statistics = statistics;
		this.throughput = throughput;
		this.requests = requests;
		this.properties = properties;
		this.deadLetter = deadLetter;
	}

	@GetMapping("/session")
	Map<String, Object> session(HttpServletRequest request) {
		Map<String, Object> session = new LinkedHashMap<>();
		session.put("user", DashboardRequests.user(request));
		session.put("canAct", this.requests.mayAct(request, "any"));
		session.put("refreshMillis", this.properties.getRefreshInterval().toMillis());
		Object csrf = request.getAttribute("_csrf");
		if (csrf != null) {
			BeanWrapperImpl token = new BeanWrapperImpl(csrf);
			session.put("csrfHeader", token.getPropertyValue("headerName"));
			session.put("csrfToken", token.getPropertyValue("token"));
		}
		return session;
	}

	@GetMapping("/overview")
	Map<String, Object> overview() {
		QueueStatistics.Sample sample = this.statistics.latest();
		Map<String, Object> overview = new LinkedHashMap<>();
		overview.put("sampledAt", text(sample.sampledAt()));
		overview.put("sampleIntervalMillis", this.statistics.interval().toMillis());
		overview.put("queues", queues(sample));
		DashboardThroughput.Series series = this.throughput.lastHour();
		overview.put("throughput", Map.of("minutes", series.minutes(), "succeeded", series.succeeded(), "retried",
				series.retried(), "dead", series.dead()));
		List<NodeStatus> nodes = this.jobs.nodes();
		overview.put("nodesAlive", nodes.stream().filter(NodeStatus::alive).count());
		overview.put("nodesKnown", nodes.size());
		return overview;
	}

	@GetMapping("/queues")
	List<Map<String, Object>> queues() {
		return queues(this.statistics.latest());
	}

	private List<Map<String, Object>> queues(QueueStatistics.Sample sample) {
		Map<String, QueueControl> controls = new LinkedHashMap<>();
		this.jobs.queueControls().forEach((control) -> controls.put(control.queue(), control));
		TreeSet<String> names = new TreeSet<>(sample.counts().keySet());
		names.addAll(controls.keySet());
		List<Map<String, Object>> queues = new ArrayList<>();
		for (String name : names) {
			QueueControl control = controls.getOrDefault(name, QueueControl.running(name));
			Map<String, Object> queue = new LinkedHashMap<>();
			queue.put("name", name);
			Map<String, Long> counts = new LinkedHashMap<>();
			for (JobState state : JobState.values()) {
				counts.put(state.name(), sample.count(name, state));
			}
			queue.put("counts", counts);
			queue.put("oldestDueSeconds", sample.oldestDueAge().getOrDefault(name, Duration.ZERO).toSeconds());
			queue.put("paused", control.paused());
			QueueLimits limits = control.limits();
			queue.put("globalConcurrency", limits.globalConcurrency());
			queue.put("keyConcurrency", limits.keyConcurrency());
			queue.put("rateLimit", (limits.rateLimit() != null) ? rateText(limits.rateLimit()) : null);
			queues.add(queue);
		}
		return queues;
	}

	static String rateText(io.sqlqueue.RateLimit rate) {
		Duration period = rate.period();
		String unit;
		long amount;
		if (period.toMillis() % 86_400_000 == 0) {
			amount = period.toDays();
			unit = "d";
		}
		else if (period.toMillis() % 3_600_000 == 0) {
			amount = period.toHours();
			unit = "h";
		}
		else if (period.toMillis() % 60_000 == 0) {
			amount = period.toMinutes();
			unit = "m";
		}
		else if (period.toMillis() % 1000 == 0) {
			amount = period.toSeconds();
			unit = "s";
		}
		else {
			amount = period.toMillis();
			unit = "ms";
		}
		return rate.starts() + "/" + amount + unit;
	}

	@GetMapping("/jobs/{id}")
	Map<String, Object> job(@PathVariable long id, HttpServletRequest request) {
		Job job = this.jobs.find(id)
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No job has id " + id));
		Map<String, Object> view = summary(job);
		view.put("payload", pretty(job.payload()));
		view.put("result", pretty(job.result()));
		view.put("metadata", job.metadata());
		view.put("priority", job.priority());
		view.put("runAt", text(job.runAt()));
		view.put("maxAttempts", job.maxAttempts());
		view.put("lockedUntil", text(job.lockedUntil()));
		view.put("lockedBy", job.lockedBy());
		view.put("uniqueKey", job.uniqueKey());
		view.put("lastError", job.lastError());
		view.put("finishedAt", text(job.finishedAt()));
		view.put("parentId", job.parentId());
		view.put("batchId", job.batchId());
		view.put("step", job.step());
		view.put("callbackFor", job.callbackFor());
		view.put("orderingKey", job.orderingKey());
		view.put("concurrencyKey", job.concurrencyKey());
		view.put("logs", job.logs());
		List<Map<String, Object>> attempts = new ArrayList<>();
		for (JobAttempt attempt : this.jobs.attempts(job.id())) {
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("attempt", attempt.attempt());
			row.put("outcome", attempt.outcome().name());
			row.put("node", attempt.node());
			row.put("endedAt", text(attempt.endedAt()));
			row.put("error", attempt.error());
			row.put("stackTrace", attempt.stackTrace());
			attempts.add(row);
		}
		view.put("attempts", attempts);
		List<Map<String, Object>> children = new ArrayList<>();
		this.jobs.list(JobQuery.all().childrenOf(job.id()).newestFirst().limit(CHILDREN + 1))
			.forEach((child) -> children.add(summary(child)));
		view.put("moreChildren", children.size() > CHILDREN);
		view.put("children", (children.size() > CHILDREN) ? children.subList(0, CHILDREN) : children);
		List<String> actions = new ArrayList<>();
		for (String action : actionsFor(job.state())) {
			if (this.requests.mayAct(request, action)) {
				actions.add(action);
			}
		}
		view.put("actions", actions);
		return view;
	}

	static List<String> actionsFor(JobState state) {
		return switch (state) {
			case READY, WAITING, RUNNING -> List.of("cancel", "kill");
			case DEAD -> List.of("retry");
			default -> List.of();
		};
	}

	@GetMapping("/dead")
	Map<String, Object> deadLetter() {
		return this.deadLetter.groups();
	}

	static String firstLine(String error) {
		if (error == null || error.isBlank()) {
			return "(no error recorded)";
		}
		int end = error.indexOf('\n');
		String line = (end < 0) ? error : error.substring(0, end);
		return (line.length() > 300) ? line.substring(0, 300) + "…" : line.strip();
	}

	static Map<String, Object> summary(Job job) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", job.id());
		view.put("queue", job.queue());
		view.put("type", job.type());
		view.put("state", job.state().name());
		view.put("attempt", job.attempt());
		view.put("createdAt", text(job.createdAt()));
		view.put("error", (job.lastError() != null) ? firstLine(job.lastError()) : null);
		return view;
	}

	static String pretty(String json) {
		if (json == null) {
			return null;
		}
		try {
			return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(json));
		}
		catch (JacksonException ex) {
			return json;
		}
	}

	static String text(Instant instant) {
		return (instant != null) ? instant.toString() : null;
	}

}
