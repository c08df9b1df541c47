package io.sqlqueue.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.validation.annotation.Validated;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobQueue;
import io.sqlqueue.QueueLimits;
import io.sqlqueue.RecurringSchedule;
import io.sqlqueue.SqlQueueMigrations;
import io.sqlqueue.worker.Backoff;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.MaintenanceSettings;
import io.sqlqueue.worker.QueueSettings;

/**
 * Configuration of sqlqueue ({@code sqlqueue.*}). Defaults are the core's.
 *
 * <pre>
 * sqlqueue:
 *   defaults: { concurrency: 8, poll-interval: 1s, lease: 5m, max-attempts: 10 }
 *   queues:
 *     mail: { concurrency: 4, backoff: { policy: constant, base: 30s } }
 *   retention: { succeeded: 1d, dead: 14d }
 * </pre>
 *
 * <p>Invalid values fail startup with a message naming the property. It validates itself, so no
 * Bean Validation provider is needed.
 */
@ConfigurationProperties("sqlqueue")
@Validated
public class SqlQueueProperties implements Validator {

	/** How long shutdown waits for running handlers unless configured. */
	public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

	/** How often queue gauges are sampled unless configured. */
	public static final Duration DEFAULT_METRICS_SAMPLE_INTERVAL = Duration.ofSeconds(30);

	private final Schema schema = new Schema();

	/** Prefix of sqlqueue's table names; letters, digits and underscores only. */
	private String tablePrefix = SqlQueueMigrations.DEFAULT_TABLE_PREFIX;

	/** Largest payload, as JSON, that enqueue accepts. */
	private DataSize maxPayloadSize = DataSize.ofBytes(JdbcJobQueue.DEFAULT_MAX_PAYLOAD_BYTES);

	/** Whether enqueue on PostgreSQL sends a notification that wakes idle workers on every node at once. */
	private boolean notifications = true;

	private final Worker worker = new Worker();

	private final Defaults defaults = new Defaults();

	/** Settings of individual queues, by queue name; unset values fall back to {@code sqlqueue.defaults}. */
	private Map<String, Queue> queues = new LinkedHashMap<>();

	private final Retention retention = new Retention();

	/** How long shutdown waits for running handlers before releasing their jobs to other nodes. */
	private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;

	/** Recurring jobs, by schedule name: a job enqueued at every cron tick, exactly once across all nodes. */
	private Map<String, Schedule> schedules = new LinkedHashMap<>();

	private final Metrics metrics = new Metrics();

	public Schema getSchema() {
		return this.schema;
	}

	public String getTablePrefix() {
		return this.tablePrefix;
	}

	public void setTablePrefix(String tablePrefix) {
		this.tablePrefix = tablePrefix;
	}

	public DataSize getMaxPayloadSize() {
		return this.maxPayloadSize;
	}

	public void setMaxPayloadSize(DataSize maxPayloadSize) {
		this.maxPayloadSize = maxPayloadSize;
	}

	public boolean isNotifications() {
		return this.notifications;
	}

	public void setNotifications(boolean notifications) {
		this.notifications = notifications;
	}

	public Worker getWorker() {
		return this.worker;
	}

	public Defaults getDefaults() {
		return this.defaults;
	}

	public Map<String, Queue> getQueues() {
		return this.queues;
	}

	public void setQueues(Map<String, Queue> queues) {
		this.queues = queues;
	}

	public Retention getRetention() {
		return this.retention;
	}

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public Map<String, Schedule> getSchedules() {
		return this.schedules;
	}

	public void setSchedules(Map<String, Schedule> schedules) {
		this.schedules = schedules;
	}

	public Metrics getMetrics() {
		return this.metrics;
	}

	// ---- mapping onto the core ----------------------------------------------------------

	/** The settings of queues not configured on their own. */
	public QueueSettings defaultQueueSettings() {
		return settings().defaults();
	}

	/** The settings of queue {@code name}: its own values over the defaults. */
	public QueueSettings queueSettings(String name) {
		return settings().queue(name);
	}

	/** How this node maintains the job table, with the retention of finished jobs. */
	public MaintenanceSettings maintenanceSettings() {
		return settings().maintenance();
	}

	/**
	 * The limits configured for queue {@code name}, or {@code null} when it configures none: a node stores them
	 * with the queue when it starts.
	 */
	public QueueLimits queueLimits(String name) {
		return settings().queueLimits(name);
	}

	/** Retention of finished jobs. */
	public io.sqlqueue.worker.Retention toRetention() {
		return settings().retention();
	}

	/** The recurring schedules of {@code sqlqueue.schedules}. */
	public List<RecurringSchedule> recurringSchedules() {
		return settings().schedules();
	}

	/** The mapping for the accessors above, which run on validated properties: a refusal there is a bug. */
	private SqlQueueSettings settings() {
		return new SqlQueueSettings(this, (refusal) -> {
			throw new IllegalArgumentException(refusal);
		});
	}

	// ---- validation ---------------------------------------------------------------------

	@Override
	public boolean supports(Class<?> clazz) {
		return SqlQueueProperties.class.isAssignableFrom(clazz);
	}

	/** Maps every property onto the core's settings; each value the core refuses is an error naming its property. */
	@Override
	public void validate(Object target, Errors errors) {
		new SqlQueueSettings((SqlQueueProperties) target, (refusal) -> errors.reject("sqlqueue.invalid", refusal))
			.checkAll();
	}

	// ---- nested groups ------------------------------------------------------------------

	/** The job table's schema. */
	public static class Schema {

		/**
		 * Whether to create and upgrade sqlqueue's tables at startup with its own Flyway migrations
		 * (history table sqlqueue_schema_history), whether or not the application uses Flyway.
		 */
		private boolean migrate = true;

		public boolean isMigrate() {
			return this.migrate;
		}

		public void setMigrate(boolean migrate) {
			this.migrate = migrate;
		}

	}

	/** The worker that runs {@code @JobHandler} methods. */
	public static class Worker {

		/** Whether this node runs handlers; false makes an enqueue-only node. */
		private boolean enabled = true;

		/**
		 * How the worker runs jobs: auto starts its threads with the application; manual builds it but starts no
		 * thread (no polling, notification listener, maintenance or recurring ticks), so that jobs run only when a
		 * test calls JobWorker.drain().
		 */
		private Mode mode = Mode.AUTO;

		/** Id stored in the lease of the jobs this node runs; defaults to pid@host plus a random suffix. */
		private @Nullable String id;

		/** Whether to listen for PostgreSQL notifications of new jobs instead of waiting for the next poll. */
		private boolean listen = true;

		/**
		 * Whether this node also rescues expired leases, deletes finished jobs past retention and, on PostgreSQL,
		 * vacuums the job table (vacuum-dead-rows, vacuum-interval).
		 */
		private boolean maintenance = true;

		/** How often jobs whose lease expired are returned to READY. */
		private Duration rescueInterval = MaintenanceSettings.DEFAULT_RESCUE_INTERVAL;

		/** How often finished jobs past their retention are deleted. */
		private Duration cleanInterval = MaintenanceSettings.DEFAULT_CLEAN_INTERVAL;

		/**
		 * How often this node vacuums the job table on PostgreSQL; unset (the default) for no vacuum on a schedule,
		 * only the one by vacuum-dead-rows. Needs the table's owner: a node whose user is not says so once and does
		 * not try.
		 */
		private @Nullable Duration vacuumInterval;

		/**
		 * On PostgreSQL, vacuum the job table as soon as the server counts this many dead row versions in it
		 * (checked every second); 0 for none. The default, about 170,000 jobs' worth, is never reached where
		 * autovacuum keeps up and saves a busy queue where it does not. Keeps pace with the queue's rate where an
		 * interval does not; with vacuum-interval as well, whichever comes first. Needs the table's owner: a node
		 * whose user is not says so once and leaves the table to autovacuum.
		 */
		private long vacuumDeadRows = MaintenanceSettings.DEFAULT_VACUUM_DEAD_ROWS;

		/**
		 * How long the node elected to run the maintenance leads without renewing; it renews three times a term,
		 * and a leader that died is replaced once its term has passed.
		 */
		private Duration leaderTerm = MaintenanceSettings.DEFAULT_LEADER_TERM;

		/**
		 * How often this node records that it is alive in the node table; a node silent for three heartbeats is
		 * dead, and the maintenance leader gives its running jobs to other nodes without waiting out their leases.
		 */
		private Duration nodeHeartbeat = MaintenanceSettings.DEFAULT_NODE_HEARTBEAT;

		/**
		 * The most outcomes of finished runs this node holds waiting to be written: when the database writes
		 * them slower than the handlers finish, handlers wait to hand theirs over and the node claims no more.
		 */
		private int outcomeBacklog = JobWorker.DEFAULT_OUTCOME_BACKLOG;

		/**
		 * How long due jobs of a type that no running node of their queue has a handler for may wait before the
		 * maintenance leader warns about them; the health endpoint and the sqlqueue.jobs.unhandled gauge show them
		 * from then on. A node claims only the types it has handlers for, so such jobs wait instead of dying.
		 */
		private Duration unhandledAfter = MaintenanceSettings.DEFAULT_UNHANDLED_AFTER;

		/**
		 * On PostgreSQL, how old the oldest snapshot another session of the database holds may grow before the
		 * maintenance leader warns, naming the session: while it is open, vacuum removes no dead row and claims
		 * slow down. The sqlqueue.database.snapshot.age gauge shows its age at all times.
		 */
		private Duration snapshotWarningAge = MaintenanceSettings.DEFAULT_SNAPSHOT_WARNING_AGE;

		/**
		 * Exception types a handler's failure goes to the dead letter for at once instead of being retried,
		 * when the exception or any of its causes is one of them (or a subclass); added to sqlqueue's own
		 * (NonRetryableJobException, PayloadCodecException, UnknownJobTypeException).
		 */
		private List<Class<? extends Throwable>> notRetryableExceptions = new ArrayList<>();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Mode getMode() {
			return this.mode;
		}

		public void setMode(Mode mode) {
			this.mode = mode;
		}

		public @Nullable String getId() {
			return this.id;
		}

		public void setId(@Nullable String id) {
			this.id = id;
		}

		public boolean isListen() {
			return this.listen;
		}

		public void setListen(boolean listen) {
			this.listen = listen;
		}

		public boolean isMaintenance() {
			return this.maintenance;
		}

		public void setMaintenance(boolean maintenance) {
			this.maintenance = maintenance;
		}

		public Duration getRescueInterval() {
			return this.rescueInterval;
		}

		public void setRescueInterval(Duration rescueInterval) {
			this.rescueInterval = rescueInterval;
		}

		public Duration getCleanInterval() {
			return this.cleanInterval;
		}

		public void setCleanInterval(Duration cleanInterval) {
			this.cleanInterval = cleanInterval;
		}

		public @Nullable Duration getVacuumInterval() {
			return this.vacuumInterval;
		}

		public void setVacuumInterval(@Nullable Duration vacuumInterval) {
			this.vacuumInterval = vacuumInterval;
		}

		public Duration getLeaderTerm() {
			return this.leaderTerm;
		}

		public void setLeaderTerm(Duration leaderTerm) {
			this.leaderTerm = leaderTerm;
		}

		public Duration getNodeHeartbeat() {
			return this.nodeHeartbeat;
		}

		public void setNodeHeartbeat(Duration nodeHeartbeat) {
			this.nodeHeartbeat = nodeHeartbeat;
		}

		public Duration getUnhandledAfter() {
			return this.unhandledAfter;
		}

		public void setUnhandledAfter(Duration unhandledAfter) {
			this.unhandledAfter = unhandledAfter;
		}

		public Duration getSnapshotWarningAge() {
			return this.snapshotWarningAge;
		}

		public void setSnapshotWarningAge(Duration snapshotWarningAge) {
			this.snapshotWarningAge = snapshotWarningAge;
		}

		public int getOutcomeBacklog() {
			return this.outcomeBacklog;
		}

		public void setOutcomeBacklog(int outcomeBacklog) {
			this.outcomeBacklog = outcomeBacklog;
		}

		public List<Class<? extends Throwable>> getNotRetryableExceptions() {
			return this.notRetryableExceptions;
		}

		public void setNotRetryableExceptions(List<Class<? extends Throwable>> notRetryableExceptions) {
			this.notRetryableExceptions = notRetryableExceptions;
		}

		public long getVacuumDeadRows() {
			return this.vacuumDeadRows;
		}

		public void setVacuumDeadRows(long vacuumDeadRows) {
			this.vacuumDeadRows = vacuumDeadRows;
		}

	}

	/** Settings of every queue not configured on its own. */
	public static class Defaults {

		/** Handlers running at once per queue on this node. */
		private int concurrency = QueueSettings.DEFAULT_CONCURRENCY;

		/** How often an idle worker looks for due jobs when no notification wakes it. */
		private Duration pollInterval = QueueSettings.DEFAULT_POLL_INTERVAL;

		/** How long a claimed job stays owned without a heartbeat (the visibility timeout); at least 1s. */
		private Duration lease = QueueSettings.DEFAULT_LEASE;

		/** Attempts before a job is dead-lettered; -1 for no limit. */
		private int maxAttempts = JobQueue.DEFAULT_MAX_ATTEMPTS;

		/** Most jobs claimed in one statement. */
		private int batchSize = QueueSettings.DEFAULT_BATCH_SIZE;

		/** Whether jobs run strictly one at a time in enqueue order (per ordering key), across all nodes. */
		private boolean fifo = false;

		private final BackoffDefaults backoff = new BackoffDefaults();

		public int getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(int concurrency) {
			this.concurrency = concurrency;
		}

		public Duration getPollInterval() {
			return this.pollInterval;
		}

		public void setPollInterval(Duration pollInterval) {
			this.pollInterval = pollInterval;
		}

		public Duration getLease() {
			return this.lease;
		}

		public void setLease(Duration lease) {
			this.lease = lease;
		}

		public int getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public int getBatchSize() {
			return this.batchSize;
		}

		public void setBatchSize(int batchSize) {
			this.batchSize = batchSize;
		}

		public boolean isFifo() {
			return this.fifo;
		}

		public void setFifo(boolean fifo) {
			this.fifo = fifo;
		}

		public BackoffDefaults getBackoff() {
			return this.backoff;
		}

	}

	/** Settings of one queue; each unset value falls back to {@code sqlqueue.defaults}. */
	public static class Queue {

		/** Handlers running at once on this queue on this node. */
		private @Nullable Integer concurrency;

		/** How often an idle worker of this queue looks for due jobs. */
		private @Nullable Duration pollInterval;

		/** How long a claimed job of this queue stays owned without a heartbeat; at least 1s. */
		private @Nullable Duration lease;

		/** Attempts before a job of this queue is dead-lettered; -1 for no limit. */
		private @Nullable Integer maxAttempts;

		/** Most jobs of this queue claimed in one statement. */
		private @Nullable Integer batchSize;

		/** Whether this queue's jobs run strictly one at a time in enqueue order, across all nodes. */
		private @Nullable Boolean fifo;

		private final BackoffOverride backoff = new BackoffOverride();

		/**
		 * Most jobs of this queue running at once on all nodes together, stored with the queue when a node starts;
		 * changed at run time with JobQueue.updateQueueLimits.
		 */
		private @Nullable Integer globalConcurrency;

		/** Most jobs of one concurrency key of this queue running at once on all nodes together. */
		private @Nullable Integer keyConcurrency;

		/**
		 * Most job starts of this queue per period on all nodes together, as starts/period: 100/1m, 50/s, 1000/h.
		 * In any window of one period (database clock, counted at claim) no more jobs start.
		 */
		private @Nullable String rateLimit;

		/** Whether the rate limit holds for each concurrency key apart rather than for the whole queue. */
		private boolean rateLimitPerKey;

		public @Nullable Integer getGlobalConcurrency() {
			return this.globalConcurrency;
		}

		public void setGlobalConcurrency(@Nullable Integer globalConcurrency) {
			this.globalConcurrency = globalConcurrency;
		}

		public @Nullable Integer getKeyConcurrency() {
			return this.keyConcurrency;
		}

		public void setKeyConcurrency(@Nullable Integer keyConcurrency) {
			this.keyConcurrency = keyConcurrency;
		}

		public @Nullable String getRateLimit() {
			return this.rateLimit;
		}

		public void setRateLimit(@Nullable String rateLimit) {
			this.rateLimit = rateLimit;
		}

		public boolean isRateLimitPerKey() {
			return this.rateLimitPerKey;
		}

		public void setRateLimitPerKey(boolean rateLimitPerKey) {
			this.rateLimitPerKey = rateLimitPerKey;
		}

		public @Nullable Integer getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(@Nullable Integer concurrency) {
			this.concurrency = concurrency;
		}

		public @Nullable Duration getPollInterval() {
			return this.pollInterval;
		}

		public void setPollInterval(@Nullable Duration pollInterval) {
			this.pollInterval = pollInterval;
		}

		public @Nullable Duration getLease() {
			return this.lease;
		}

		public void setLease(@Nullable Duration lease) {
			this.lease = lease;
		}

		public @Nullable Integer getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(@Nullable Integer maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public @Nullable Integer getBatchSize() {
			return this.batchSize;
		}

		public void setBatchSize(@Nullable Integer batchSize) {
			this.batchSize = batchSize;
		}

		public @Nullable Boolean getFifo() {
			return this.fifo;
		}

		public void setFifo(@Nullable Boolean fifo) {
			this.fifo = fifo;
		}

		public BackoffOverride getBackoff() {
			return this.backoff;
		}

	}

	/** How long a failed job waits before its next attempt; unset values are the core's defaults. */
	public static class BackoffDefaults extends BackoffOverride {

		/** The core's default backoff: exponential from 1 s to 1 h with 20% jitter. */
		public BackoffDefaults() {
			setPolicy(Backoff.DEFAULT.policy());
			setBase(Backoff.DEFAULT.base());
			setMax(Backoff.DEFAULT.max());
			setJitter(Backoff.DEFAULT.jitter());
		}

	}

	/** Backoff of one queue; each unset value falls back to {@code sqlqueue.defaults.backoff}. */
	public static class BackoffOverride {

		/** How the delay grows with the attempt number: constant, linear or exponential. */
		private Backoff.@Nullable Policy policy;

		/** The first delay. */
		private @Nullable Duration base;

		/** The largest delay, at least the first. */
		private @Nullable Duration max;

		/** Random spread of each delay, from 0 (none) to 1 (plus or minus 100%). */
		private @Nullable Double jitter;

		public Backoff.@Nullable Policy getPolicy() {
			return this.policy;
		}

		public void setPolicy(Backoff.@Nullable Policy policy) {
			this.policy = policy;
		}

		public @Nullable Duration getBase() {
			return this.base;
		}

		public void setBase(@Nullable Duration base) {
			this.base = base;
		}

		public @Nullable Duration getMax() {
			return this.max;
		}

		public void setMax(@Nullable Duration max) {
			this.max = max;
		}

		public @Nullable Double getJitter() {
			return this.jitter;
		}

		public void setJitter(@Nullable Double jitter) {
			this.jitter = jitter;
		}

	}

	/** How long finished jobs are kept before they are deleted in batches. */
	public static class Retention {

		/** How long SUCCEEDED jobs are kept. */
		private Duration succeeded = io.sqlqueue.worker.Retention.DEFAULT.succeeded();

		/** How long DEAD jobs (the dead letter) are kept. */
		private Duration dead = io.sqlqueue.worker.Retention.DEFAULT.dead();

		/** How long CANCELLED jobs are kept. */
		private Duration cancelled = io.sqlqueue.worker.Retention.DEFAULT.cancelled();

		public Duration getSucceeded() {
			return this.succeeded;
		}

		public void setSucceeded(Duration succeeded) {
			this.succeeded = succeeded;
		}

		public Duration getDead() {
			return this.dead;
		}

		public void setDead(Duration dead) {
			this.dead = dead;
		}

		public Duration getCancelled() {
			return this.cancelled;
		}

		public void setCancelled(Duration cancelled) {
			this.cancelled = cancelled;
		}

	}

	/** A recurring job defined in configuration. */
	public static class Schedule {

		/** Spring cron expression: six fields, seconds first, or a macro such as @hourly. */
		private @Nullable String cron;

		/** Job type enqueued at each tick. */
		private @Nullable String type;

		/** Payload of each job, written as JSON; none when unset. */
		private Map<String, Object> payload;

		/** Queue the jobs go to; by default the queue of the type's handler. */
		private @Nullable String queue;

		/** Time zone the cron expression is read in; by default the JVM's. */
		private @Nullable String zone;

		/** What happens to ticks missed while no node ran: run-once or skip. */
		private RecurringSchedule.MissedRuns missedRuns = RecurringSchedule.MissedRuns.RUN_ONCE;

		public @Nullable String getCron() {
			return this.cron;
		}

		public void setCron(@Nullable String cron) {
			this.cron = cron;
		}

		public @Nullable String getType() {
			return this.type;
		}

		public void setType(@Nullable String type) {
			this.type = type;
		}

		public Map<String, Object> getPayload() {
			return this.payload;
		}

		public void setPayload(Map<String, Object> payload) {
			this.payload = payload;
		}

		public @Nullable String getQueue() {
			return this.queue;
		}

		public void setQueue(@Nullable String queue) {
			this.queue = queue;
		}

		public @Nullable String getZone() {
			return this.zone;
		}

		public void setZone(@Nullable String zone) {
			this.zone = zone;
		}

		public RecurringSchedule.MissedRuns getMissedRuns() {
			return this.missedRuns;
		}

		public void setMissedRuns(RecurringSchedule.MissedRuns missedRuns) {
			this.missedRuns = missedRuns;
		}

	}

	/** Micrometer meters. */
	public static class Metrics {

		/** How often the queue gauges (jobs per state, oldest due age) are sampled from the database. */
		private Duration sampleInterval = DEFAULT_METRICS_SAMPLE_INTERVAL;

		public Duration getSampleInterval() {
			return this.sampleInterval;
		}

		public void setSampleInterval(Duration sampleInterval) {
			this.sampleInterval = sampleInterval;
		}

	}

	/** How the worker runs jobs ({@code sqlqueue.worker.mode}). */
	public enum Mode {

		/** The worker starts with the application and runs jobs on its own threads. */
		AUTO,

		/**
		 * The worker is built but never started: no thread polls, listens, maintains or ticks schedules, and jobs
		 * run only on the thread that calls {@code JobWorker.drain()}, as tests want.
		 */
		MANUAL

	}

}
