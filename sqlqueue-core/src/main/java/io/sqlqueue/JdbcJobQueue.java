package io.sqlqueue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import io.sqlqueue.codec.JacksonPayloadCodec;
import io.sqlqueue.codec.PayloadCodec;
import io.sqlqueue.internal.Administration;
import io.sqlqueue.internal.HandClaims;
import io.sqlqueue.internal.NodeInfo;
import io.sqlqueue.internal.QueueAccess;
import io.sqlqueue.internal.QueueServices;
import io.sqlqueue.internal.Unhandled;
import io.sqlqueue.internal.store.JdbcJobStore;
import io.sqlqueue.internal.store.JobStore;

/**
 * The {@link JobQueue} on a JDBC {@link DataSource}: PostgreSQL, MariaDB, H2 or SQLite, chosen from
 * the database's metadata.
 *
 * <pre>{@code
 * SqlQueueMigrations.migrate(dataSource);
 * JdbcJobQueue jobs = JdbcJobQueue.builder(dataSource).build();
 * jobs.enqueue("send-email", new SendEmail("ada@example.com"));
 * }</pre>
 *
 * <p>Enqueue goes through Spring's {@code DataSourceUtils}, so it joins the caller's Spring-managed
 * transaction. Thread-safe.
 */
public class JdbcJobQueue implements JobQueue {

	/** The largest payload accepted unless configured: 1 MiB of JSON. */
	public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

	static {
		QueueAccess.register((queue) -> (queue instanceof JdbcJobQueue jdbc) ? jdbc.services : null);
	}

	private final QueueServices services;

	private final JobStore store;

	private final HandClaims handClaims;

	private final JobTypeRegistry types = new JobTypeRegistry();

	JdbcJobQueue(Builder builder) {
		JdbcJobStore store = new JdbcJobStore(builder.dataSource, builder.tablePrefix);
		PayloadCodec codec = (builder.codec != null) ? builder.codec
				: new JacksonPayloadCodec((builder.jsonMapper != null) ? builder.jsonMapper : JsonMapper.builder().build());
		this.services = new QueueServices(store, codec, this.types, builder.interceptors, builder.listeners,
				builder.maxPayloadBytes, builder.notifications);
		this.store = store;
		this.handClaims = new HandClaims(this.services);
	}

	/** A builder for a queue on {@code dataSource}. */
	public static Builder builder(DataSource dataSource) {
		return new Builder(dataSource);
	}

	// ---- enqueue -----------------------------------------------------------------------

	@Override
	public JobGroups groups() {
		return new JdbcJobGroups(this.services.groups());
	}

	@Override
	public long enqueue(Object payload, EnqueueOptions options) {
		Objects.requireNonNull(payload, "payload must not be null for a typed enqueue");
		return enqueue(this.types.typeOf(payload.getClass()), payload, options);
	}

	@Override
	public long enqueue(String type, @Nullable Object payload, EnqueueOptions options) {
		return this.services.enqueuer().enqueue(List.of(new JobRequest(type, payload, options)), true).get(0);
	}

	@Override
	public List<Long> enqueueAll(List<JobRequest> requests) {
		Objects.requireNonNull(requests, "requests must not be null");
		return requests.isEmpty() ? List.of() : this.services.enqueuer().enqueue(requests, false);
	}

	// ---- inspection and administration ---------------------------------------------------

	@Override
	public Optional<Job> find(long id) {
		return this.store.jobGet(id);
	}

	@Override
	public List<Job> list(JobQuery query) {
		return this.store.jobList(Objects.requireNonNull(query, "query must not be null"));
	}

	@Override
	public List<JobAttempt> attempts(long id) {
		return this.store.jobAttemptList(id);
	}

	@Override
	public long count(@Nullable String queue, @Nullable JobState state) {
		return this.store.jobCount(queue, state);
	}

	@Override
	public Map<String, Map<JobState, Long>> countByQueueAndState() {
		return Administration.countByQueueAndState(this.store);
	}

	@Override
	public void pauseQueue(String queue) {
		this.store.queueSetPaused(JobQueue.validateQueueName(queue), true);
	}

	@Override
	public void resumeQueue(String queue) {
		this.store.queueSetPaused(JobQueue.validateQueueName(queue), false);
		// idle workers here and elsewhere claim at once, not at their next poll
		this.services.enqueuer().wakeWhenCommitted(Set.of(queue));
	}

	@Override
	public void updateQueueLimits(String queue, QueueLimits limits) {
		this.store.queueSetLimits(JobQueue.validateQueueName(queue), Objects.requireNonNull(limits, "limits must not be null"));
		this.services.enqueuer().wakeWhenCommitted(Set.of(queue));
	}

	@Override
	public QueueControl queueControl(String queue) {
		return this.store.queueControlGet(JobQueue.validateQueueName(queue)).orElse(QueueControl.running(queue));
	}

	@Override
	public List<QueueControl> queueControls() {
		return this.store.queueControlList();
	}

	@Override
	public List<RecurringStatus> recurringSchedules() {
		return this.store.recurringList();
	}

	@Override
	public List<NodeStatus> nodes() {
		return NodeInfo.readAll(this.store.nodeList());
	}

	@Override
	public List<UnhandledJobs> unhandledJobs(Duration longerThan) {
		return Unhandled.find(this.store, Objects.requireNonNull(longerThan, "longerThan must not be null"));
	}

	@Override
	public Optional<HeldSnapshot> oldestSnapshot() {
		return this.store.vendor().needsVacuum() ? this.store.snapshotOldest() : Optional.empty();
	}

	/** Per queue, how long its oldest due READY job has waited (database clock). */
	public Map<String, Duration> oldestDueAge() {
		return this.store.jobOldestDueAge();
	}

	/** What every node recorded in [{@code from}, {@code to}) of the database clock: index range counts, not a scan. */
	public OutcomeCounts outcomeCounts(Instant from, Instant to) {
		return this.store.jobCountOutcomes(Objects.requireNonNull(from, "from"), Objects.requireNonNull(to, "to"));
	}

	/** The {@code limit} largest groups of DEAD jobs by queue, type and error, counted over all of them. */
	public List<DeadLetterGroup> deadLetterGroups(int limit) {
		return this.store.jobCountDeadByError(InvalidSettingException.requireAtLeast("limit", 1, limit));
	}

	@Override
	public boolean cancel(long id) {
		return this.store.jobCancel(id);
	}

	@Override
	public boolean kill(long id, String reason) {
		return Administration.kill(this.store, id, reason);
	}

	@Override
	public boolean retryDead(long id) {
		return Administration.retryDead(this.store, this.services.enqueuer(), id);
	}

	@Override
	public boolean delete(long id) {
		return this.store.jobDeleteFinished(id);
	}

	@Override
	public int retryDeadInQueue(String queue) {
		return Administration.retryDeadInQueue(this.store, this.services.enqueuer(), queue);
	}

	@Override
	public int purge(JobState state, Duration olderThan) {
		return Administration.purge(this.store, state, olderThan);
	}

	// ---- claiming by hand ------------------------------------------------------------------

	/**
	 * Claims up to {@code limit} due jobs of {@code queue} for the caller, in one statement and in claim order
	 * (priority, then run-at, then id), for code that pulls jobs itself instead of running a {@code JobWorker}. Each
	 * is RUNNING, its attempt incremented and leased for {@code lease} (database clock); record its outcome through
	 * the returned {@link ClaimedJob}. A job whose lease runs out is made READY again by the rescuer of any worker, or
	 * by {@link #rescueExpired()}. FIFO ordering is a worker setting and does not apply here.
	 * @return the claimed jobs, possibly none
	 */
	@Override
	public List<ClaimedJob> claim(String queue, int limit, Duration lease) {
		return this.handClaims.claim(queue, limit, lease);
	}

	/**
	 * Claims the next due job of {@code queue}, waiting up to {@code wait} for one to become due.
	 * Enqueues from this JVM wake the wait at once; others are seen within a quarter of a second.
	 * @return the claimed job, or empty when none came in time
	 * @throws InterruptedException when the calling thread is interrupted while waiting
	 */
	@Override
	public Optional<ClaimedJob> poll(String queue, Duration wait, Duration lease) throws InterruptedException {
		return this.handClaims.poll(queue, wait, lease);
	}

	@Override
	public int rescueExpired() {
		return this.store.jobRescueExpired();
	}

	// ---- this node and its database ---------------------------------------------------------

	/** The type registry filled by handler registration and read at enqueue. */
	public JobTypeRegistry types() {
		return this.types;
	}

	/** The codec payloads and results are written and read with. */
	public PayloadCodec codec() {
		return this.services.codec();
	}

	/** The interceptors around every enqueue and every run, outermost first. */
	public List<JobInterceptor> interceptors() {
		return this.services.interceptors();
	}

	/**
	 * Makes the jobs waiting for a due time (READY and WAITING) due {@code by} earlier, and every recurring tick
	 * that falls within {@code by} due now: what a test does instead of waiting, since due times are read from
	 * the database's clock, which a test cannot set. A tick is enqueued once per call however many fell within
	 * it. It changes every such job of the table: for tests with a database of their own, never in production.
	 *
	 * <pre>{@code
	 * jobs.enqueue("reminder", reminder, EnqueueOptions.defaults().withDelay(Duration.ofHours(1)));
	 * jobs.moveDueTimesBack(Duration.ofHours(1));
	 * worker.drain();   // runs the reminder now
	 * }</pre>
	 * @return how many jobs were moved
	 * @throws IllegalArgumentException when {@code by} is negative
	 */
	public int moveDueTimesBack(Duration by) {
		return Administration.moveDueTimesBack(this.store, by);
	}

	/** Adds a listener of job events on this node. */
	public void addListener(JobEventListener listener) {
		this.services.addListener(Objects.requireNonNull(listener, "listener must not be null"));
	}

	/** Whether enqueue sends PostgreSQL notifications that wake workers in other processes. */
	public boolean notificationsEnabled() {
		return this.services.notifications() != null;
	}

	/** The database, as the folder of its migrations names it: {@code postgresql}, {@code mariadb}, {@code h2} or {@code sqlite}. */
	public String database() {
		return this.store.vendor().name();
	}

	/** The job table's name. */
	public String jobTable() {
		return this.store.jobTable();
	}

	/**
	 * The database's current time, read with a query: whether the database answers.
	 * @throws org.springframework.dao.DataAccessException when it does not
	 */
	public Instant databaseTime() {
		return this.store.databaseNow();
	}

	/** The job table's dead row versions (statistics) on PostgreSQL, which slow claims until vacuumed; else empty. */
	public OptionalLong jobTableDeadRows() {
		return this.store.vendor().needsVacuum() ? OptionalLong.of(this.store.tableDeadRows()) : OptionalLong.empty();
	}

	/**
	 * Sends the notifications of jobs enqueued so far (waiting at most a second) and stops their thread; call it
	 * before closing the {@code DataSource} (Spring does for a bean). Later enqueues notify on the calling thread.
	 */
	public void close() {
		this.services.close(Duration.ofSeconds(1));
	}

	/** Configures a {@link JdbcJobQueue}. */
	public static final class Builder {

		private final DataSource dataSource;

		private String tablePrefix = SqlQueueMigrations.DEFAULT_TABLE_PREFIX;

		private PayloadCodec codec;

		private JsonMapper jsonMapper;

		private final List<JobInterceptor> interceptors = new ArrayList<>();

		private final List<JobEventListener> listeners = new ArrayList<>();

		private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;

		private boolean notifications = true;

		Builder(DataSource dataSource) {
			this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
		}

		/** The prefix of sqlqueue's table names (default {@code sqlqueue_}); checked as an identifier. */
		public Builder tablePrefix(String tablePrefix) {
			this.tablePrefix = JobQueue.validateTablePrefix(tablePrefix);
			return this;
		}

		/** The Jackson mapper whose modules and settings payloads are written and read with. */
		public Builder jsonMapper(@Nullable JsonMapper jsonMapper) {
			this.jsonMapper = jsonMapper;
			return this;
		}

		/** A codec other than Jackson's. */
		public Builder codec(@Nullable PayloadCodec codec) {
			this.codec = codec;
			return this;
		}

		/** Adds an interceptor, inside those added before it. */
		public Builder interceptor(JobInterceptor interceptor) {
			this.interceptors.add(Objects.requireNonNull(interceptor, "interceptor must not be null"));
			return this;
		}

		/** Adds a listener of job events. */
		public Builder listener(JobEventListener listener) {
			this.listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
			return this;
		}

		/** The largest payload, in bytes of JSON, that enqueue accepts (default 1 MiB). */
		public Builder maxPayloadBytes(int maxPayloadBytes) {
			this.maxPayloadBytes = InvalidSettingException.requireAtLeast("maxPayloadBytes", 1, maxPayloadBytes);
			return this;
		}

		/** Whether enqueue sends PostgreSQL notifications (default true; ignored elsewhere). */
		public Builder notifications(boolean notifications) {
			this.notifications = notifications;
			return this;
		}

		/**
		 * The queue.
		 * @throws IllegalStateException when the database is unreachable or not supported
		 */
		public JdbcJobQueue build() {
			return new JdbcJobQueue(this);
		}

	}

}
