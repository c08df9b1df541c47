package io.sqlqueue.spring.actuate;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobState;
import io.sqlqueue.spring.QueueStatistics;
import io.sqlqueue.spring.JobHandlerRegistry;
import io.sqlqueue.worker.JobWorker;

/**
 * The queue gauges, updated at each sample of the shared {@link QueueStatistics}
 * ({@code sqlqueue.metrics.sample-interval}) so that a scrape never queries the database:
 * <ul>
 * <li>{@code sqlqueue.queue.jobs} (queue, state): jobs per state;</li>
 * <li>{@code sqlqueue.queue.oldest.age} (queue): how long the oldest due READY job has waited;</li>
 * <li>{@code sqlqueue.queue.paused} (queue): 1 while the queue is paused across the cluster, else 0;</li>
 * <li>{@code sqlqueue.workers.busy} (queue): handlers running now on this node;</li>
 * <li>{@code sqlqueue.outcomes.waiting}: outcomes of finished runs this node has not written yet, bounded by
 * {@code sqlqueue.worker.outcome-backlog} (read from the worker, not sampled);</li>
 * <li>{@code sqlqueue.outcomes.oldest.age}: how long the oldest of them has waited;</li>
 * <li>{@code sqlqueue.jobs.unhandled} (queue, type): due jobs that no running node of their queue has a handler
 * for, once they waited {@code sqlqueue.worker.unhandled-after};</li>
 * <li>{@code sqlqueue.table.dead.rows} (table), on PostgreSQL: the dead row versions the server's
 * statistics count in the job table, which slow claims down until a vacuum reclaims them;</li>
 * <li>{@code sqlqueue.database.snapshot.age}, on PostgreSQL: how long the oldest snapshot another session of the
 * database holds has been open (0 when none): until it ends, vacuum can remove none of those dead rows.</li>
 * </ul>
 */
public class SqlQueueGauges {

	/** Gauge of jobs per queue and state. */
	public static final String QUEUE_JOBS = "sqlqueue.queue.jobs";

	/** Gauge of the age of the oldest due job per queue. */
	public static final String OLDEST_AGE = "sqlqueue.queue.oldest.age";

	/** Gauge of whether a queue is paused, 1 or 0. */
	public static final String QUEUE_PAUSED = "sqlqueue.queue.paused";

	/** Gauge of running handlers per queue. */
	public static final String WORKERS_BUSY = "sqlqueue.workers.busy";

	/** Gauge of the due jobs no running node can run, per queue and type. */
	public static final String JOBS_UNHANDLED = "sqlqueue.jobs.unhandled";

	/** Gauge of the outcomes this node has not written yet. */
	public static final String OUTCOMES_WAITING = "sqlqueue.outcomes.waiting";

	/** Gauge of how long the oldest outcome this node has not written yet has waited. */
	public static final String OUTCOMES_OLDEST_AGE = "sqlqueue.outcomes.oldest.age";

	/** Gauge of the job table's dead row versions (PostgreSQL). */
	public static final String DEAD_ROWS = "sqlqueue.table.dead.rows";

	/** Gauge of the age of the oldest snapshot another session holds (PostgreSQL). */
	public static final String SNAPSHOT_AGE = "sqlqueue.database.snapshot.age";

	private static final Log logger = LogFactory.getLog(SqlQueueGauges.class);

	private final MeterRegistry registry;

	private final JdbcJobQueue queue;

	private final JobHandlerRegistry handlers;

	private final QueueStatistics statistics;

	private final Map<String, Map<JobState, AtomicLong>> counts = new ConcurrentHashMap<>();

	private final Map<String, AtomicLong> oldestMillis = new ConcurrentHashMap<>();

	private final Map<String, AtomicLong> paused = new ConcurrentHashMap<>();

	private final Set<String> busyQueues = ConcurrentHashMap.newKeySet();

	/** The unhandled jobs per queue and type seen so far, set to 0 once they are gone. */
	private final Map<List<String>, AtomicLong> unhandled = new ConcurrentHashMap<>();

	private final Duration unhandledAfter;

	/** The sampled dead rows of the job table; registered at the first sample where the database counts them. */
	private volatile AtomicLong deadRows;

	/** The sampled age of the oldest held snapshot in milliseconds; registered with the dead rows. */
	private volatile AtomicLong snapshotMillis;

	/**
	 * Gauges in {@code registry} for {@code queue}'s jobs and the busy handlers of {@code handlers}' worker,
	 * updated at every sample of {@code statistics}; due jobs no node can run count as unhandled once they waited
	 * {@code unhandledAfter}.
	 */
	public SqlQueueGauges(MeterRegistry registry, JdbcJobQueue queue, JobHandlerRegistry handlers,
			QueueStatistics statistics, Duration unhandledAfter) {
		this.registry = registry;
		this.unhandledAfter = unhandledAfter;
		this.queue = queue;
		this.handlers = handlers;
		this.statistics = statistics;
		statistics.subscribe(this::sampled);
		Gauge.builder(OUTCOMES_WAITING, handlers, (h) -> h.worker().map((w) -> w.health().outcomesWaiting()).orElse(0))
			.description("Outcomes of finished runs this node has not written yet")
			.register(registry);
		TimeGauge.builder(OUTCOMES_OLDEST_AGE, handlers, TimeUnit.MILLISECONDS,
				(h) -> h.worker().map((w) -> w.health().oldestOutcomeWaiting().toMillis()).orElse(0L))
			.description("How long the oldest outcome this node has not written yet has waited")
			.register(registry);
	}

	/** Samples the shared statistics once, which updates the gauges. */
	public void sample() {
		this.statistics.sample();
	}

	private void sampled(QueueStatistics.Sample sample) {
		try {
			update(sample);
		}
		catch (RuntimeException ex) {
			logger.debug("sqlqueue gauges could not be sampled: " + ex.getMessage());
		}
	}

	private void update(QueueStatistics.Sample sample) {
		Map<String, Map<JobState, Long>> sampled = sample.counts();
		Map<String, Duration> ages = sample.oldestDueAge();
		this.handlers.worker().map(JobWorker::queueNames).ifPresent((names) -> names.forEach(this::queueSeen));
		sampled.keySet().forEach(this::queueSeen);
		Set<String> pausedNow = new HashSet<>();
		this.queue.queueControls().forEach((control) -> {
			queueSeen(control.queue());
			if (control.paused()) {
				pausedNow.add(control.queue());
			}
		});
		this.paused.forEach((name, value) -> value.set(pausedNow.contains(name) ? 1 : 0));
		this.counts.forEach((name, states) -> {
			Map<JobState, Long> now = sampled.getOrDefault(name, Map.of());
			states.forEach((state, value) -> value.set(now.getOrDefault(state, 0L)));
		});
		this.oldestMillis.forEach((name, value) -> value.set(ages.getOrDefault(name, Duration.ZERO).toMillis()));
		this.queue.jobTableDeadRows().ifPresent((dead) -> {
			deadRowsGauge().set(dead);
			snapshotAgeGauge().set(this.queue.oldestSnapshot().map((held) -> held.age().toMillis()).orElse(0L));
		});
		Map<List<String>, Long> unhandledNow = new HashMap<>();
		this.queue.unhandledJobs(this.unhandledAfter)
			.forEach((jobs) -> unhandledNow.put(List.of(jobs.queue(), jobs.type()), jobs.jobs()));
		unhandledNow.keySet().forEach((key) -> this.unhandled.computeIfAbsent(key, (k) -> {
			AtomicLong value = new AtomicLong();
			Gauge.builder(JOBS_UNHANDLED, value, AtomicLong::get)
				.description("Due jobs that no running node of their queue has a handler for")
				.tag("queue", k.get(0))
				.tag("type", k.get(1))
				.register(this.registry);
			return value;
		}));
		this.unhandled.forEach((key, value) -> value.set(unhandledNow.getOrDefault(key, 0L)));
	}

	private AtomicLong deadRowsGauge() {
		AtomicLong gauge = this.deadRows;
		if (gauge == null) {
			gauge = new AtomicLong();
			Gauge.builder(DEAD_ROWS, gauge, AtomicLong::get)
				.description("Dead row versions in the job table as the server's statistics count them, sampled")
				.baseUnit("rows")
				.tag("table", this.queue.jobTable())
				.register(this.registry);
			this.deadRows = gauge;
		}
		return gauge;
	}

	private AtomicLong snapshotAgeGauge() {
		AtomicLong gauge = this.snapshotMillis;
		if (gauge == null) {
			gauge = new AtomicLong();
			TimeGauge.builder(SNAPSHOT_AGE, gauge, TimeUnit.MILLISECONDS, AtomicLong::get)
				.description("How long the oldest snapshot another session of the database holds has been open, sampled")
				.register(this.registry);
			this.snapshotMillis = gauge;
		}
		return gauge;
	}

	private void queueSeen(String name) {
		this.counts.computeIfAbsent(name, (key) -> {
			Map<JobState, AtomicLong> states = new ConcurrentHashMap<>();
			for (JobState state : JobState.values()) {
				AtomicLong value = new AtomicLong();
				states.put(state, value);
				Gauge.builder(QUEUE_JOBS, value, AtomicLong::get)
					.description("Jobs per queue and state, sampled")
					.tag("queue", key)
					.tag("state", state.name().toLowerCase(Locale.ROOT))
					.register(this.registry);
			}
			return states;
		});
		this.oldestMillis.computeIfAbsent(name, (key) -> {
			AtomicLong value = new AtomicLong();
			TimeGauge.builder(OLDEST_AGE, value, TimeUnit.MILLISECONDS, AtomicLong::get)
				.description("How long the oldest due READY job of the queue has waited, sampled")
				.tag("queue", key)
				.register(this.registry);
			return value;
		});
		this.paused.computeIfAbsent(name, (key) -> {
			AtomicLong value = new AtomicLong();
			Gauge.builder(QUEUE_PAUSED, value, AtomicLong::get)
				.description("Whether the queue is paused across the cluster (1) or not (0), sampled")
				.tag("queue", key)
				.register(this.registry);
			return value;
		});
		if (this.busyQueues.add(name)) {
			Gauge.builder(WORKERS_BUSY, this.handlers, (h) -> h.worker().map((w) -> w.busy(name)).orElse(0))
				.description("Handlers running now on this node")
				.tag("queue", name)
				.register(this.registry);
		}
	}

}
