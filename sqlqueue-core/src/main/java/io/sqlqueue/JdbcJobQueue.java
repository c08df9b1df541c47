package io.sqlqueue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import javax.sql.DataSource;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.sqlqueue.JobInterceptor.EnqueueChain;
import io.sqlqueue.codec.JacksonPayloadCodec;
import io.sqlqueue.codec.PayloadCodec;
import io.sqlqueue.dialect.Dialect;
import io.sqlqueue.dialect.Dialects;
import io.sqlqueue.dialect.InsertResult;
import io.sqlqueue.dialect.JsonText;
import io.sqlqueue.dialect.NewJob;
import io.sqlqueue.dialect.PostgresDialect;

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

	/** The {@code locked_by} of jobs claimed by hand. */
	private static final String CLAIMER_ID = "claim:" + java.lang.management.ManagementFactory.getRuntimeMXBean().getName();

	private final DataSource dataSource;

	private final Dialect dialect;

	private final PayloadCodec codec;

	private final JobTypeRegistry types = new JobTypeRegistry();

	private final List<JobInterceptor> interceptors;

	private final List<JobEventListener> listeners = new CopyOnWriteArrayList<>();

	private final List<Consumer<String>> wakeupListeners = new CopyOnWriteArrayList<>();

	private final int maxPayloadBytes;

	/**
	 * Names this queue object in its notifications: its own workers are woken directly at enqueue,
	 * so they ignore notifications from it instead of claiming a second time.
	 */
	private final String notificationOrigin = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);

	/** Sends PostgreSQL notifications to other processes; null where they are off or not supported. */
	private final NotificationSender notifications;

	private final TransactionTemplate transaction;

	private final JobEventListener events;

	JdbcJobQueue(Builder builder) {
		this.dataSource = builder.dataSource;
		this.dialect = Dialects.detect(builder.dataSource, builder.tablePrefix);
		this.codec = (builder.codec != null) ? builder.codec
				: new JacksonPayloadCodec((builder.jsonMapper != null) ? builder.jsonMapper : JsonMapper.builder().build());
		this.interceptors = List.copyOf(builder.interceptors);
		this.listeners.addAll(builder.listeners);
		this.maxPayloadBytes = builder.maxPayloadBytes;
		this.notifications = (builder.notifications && this.dialect instanceof PostgresDialect postgres)
				? new NotificationSender(postgres, this.notificationOrigin) : null;
		this.transaction = new TransactionTemplate(new DataSourceTransactionManager(this.dataSource));
		this.events = new CompositeListener(this.listeners);
	}

	/** A builder for a queue on {@code dataSource}. */
	public static Builder builder(DataSource dataSource) {
		return new Builder(dataSource);
	}

	// ---- enqueue -----------------------------------------------------------------------

	@Override
	public long enqueue(Object payload, EnqueueOptions options) {
		Objects.requireNonNull(payload, "payload must not be null for a typed enqueue");
		return enqueue(this.types.typeOf(payload.getClass()), payload, options);
	}

	@Override
	public long enqueue(String type, Object payload, EnqueueOptions options) {
		return enqueueThroughChain(List.of(new JobRequest(type, payload, options)), true).get(0);
	}

	@Override
	public List<Long> enqueueAll(List<JobRequest> requests) {
		Objects.requireNonNull(requests, "requests must not be null");
		if (requests.isEmpty()) {
			return List.of();
		}
		for (int i = 0; i < requests.size(); i++) {
			Objects.requireNonNull(requests.get(i), "requests[" + i + "] must not be null");
		}
		return enqueueThroughChain(requests, false);
	}

	private List<Long> enqueueThroughChain(List<JobRequest> requests, boolean single) {
		EnqueueChain chain = (jobs) -> insert(jobs, single);
		for (int i = this.interceptors.size() - 1; i >= 0; i--) {
			JobInterceptor interceptor = this.interceptors.get(i);
			EnqueueChain next = chain;
			chain = (jobs) -> interceptor.aroundEnqueue(jobs, next);
		}
		return chain.proceed(requests);
	}

	private List<Long> insert(List<JobRequest> requests, boolean single) {
		List<NewJob> rows = new ArrayList<>(requests.size());
		for (JobRequest request : requests) {
			rows.add(resolve(request));
		}
		List<Long> ids;
		boolean notified = false;
		if (single && notifiesInline(rows.get(0))) {
			try {
				ids = List.of(((PostgresDialect) this.dialect).jobInsertNotifying(rows.get(0), this.notificationOrigin));
			}
			finally {
				this.notifications.inlineDone();
			}
			notified = true;
		}
		else if (single) {
			ids = List.of(insertOne(rows.get(0), requests.get(0).options()));
		}
		else if (plain(rows) && rows.size() <= this.dialect.rowsPerInsertStatement()) {
			// one statement is atomic by itself: no transaction to begin and commit around it
			ids = this.dialect.jobInsertMany(rows);
		}
		else {
			ids = this.transaction.execute((status) -> insertMany(rows, requests));
		}
		Set<String> dueQueues = new LinkedHashSet<>();
		for (NewJob row : rows) {
			this.events.jobEnqueued(row.queue(), row.type());
			if (row.dueNow()) {
				dueQueues.add(row.queue());
			}
		}
		if (!dueQueues.isEmpty()) {
			wakeWorkers(dueQueues, notified);
		}
		return ids;
	}

	/**
	 * Whether {@code row} is inserted together with its notification, which PostgreSQL then sends as
	 * the insert commits, a round trip and a thread hand-off sooner than the sender could: only for
	 * a job due now, outside any transaction of the caller's, and only while this queue object is
	 * otherwise quiet ({@link NotificationSender#tryInline}). Under load the sender's coalesced
	 * notifications are cheaper, since a notifying commit holds a lock that other notifying
	 * commits wait for until its WAL is flushed.
	 */
	private boolean notifiesInline(NewJob row) {
		return this.notifications != null && row.dueNow() && row.uniqueKey() == null
				&& !TransactionSynchronizationManager.isActualTransactionActive()
				&& this.notifications.tryInline();
	}

	private long insertOne(NewJob row, EnqueueOptions options) {
		InsertResult result = this.dialect.jobInsert(row);
		if (!result.inserted() && options.uniquePolicy() == EnqueueOptions.UniquePolicy.REJECT) {
			throw new DuplicateJobException(row.uniqueKey(), result.id());
		}
		return result.id();
	}

	/** Whether no job of {@code rows} has a unique key or a parent, which the multi-row insert leaves out. */
	private static boolean plain(List<NewJob> rows) {
		return rows.stream().allMatch((row) -> row.uniqueKey() == null && row.parentId() == null);
	}

	private List<Long> insertMany(List<NewJob> rows, List<JobRequest> requests) {
		if (plain(rows)) {
			return this.dialect.jobInsertMany(rows);
		}
		List<Long> ids = new ArrayList<>(rows.size());
		for (int i = 0; i < rows.size(); i++) {
			ids.add(insertOne(rows.get(i), requests.get(i).options()));
		}
		return ids;
	}

	private NewJob resolve(JobRequest request) {
		String type = JobQueue.validateType(request.type());
		EnqueueOptions options = request.options();
		String queue = this.types.queueFor(type, options);
		String payload = this.codec.encode(request.payload());
		// a char takes at most 3 bytes of UTF-8: count them only for a payload that could be too large
		int bytes = (payload.length() * 3L <= this.maxPayloadBytes) ? 0 : payload.getBytes(StandardCharsets.UTF_8).length;
		if (bytes > this.maxPayloadBytes) {
			throw new IllegalArgumentException("Payload of job type '" + type + "' is " + bytes
					+ " bytes of JSON, over the limit of " + this.maxPayloadBytes + " bytes");
		}
		long delay = (options.delay() != null) ? options.delay().toMillis() : 0;
		return new NewJob(queue, type, payload, JsonText.writeMap(options.metadata()), options.priority(), delay,
				options.runAt(), this.types.maxAttemptsFor(type, queue, options), options.uniqueKey(),
				options.parentId(), options.orderingKey(),
				(options.retention() != null) ? options.retention().toMillis() : null);
	}

	/**
	 * Wakes the workers of {@code queues}, in this JVM and (on PostgreSQL) everywhere, once the
	 * enqueue is committed: at once outside a Spring-managed transaction, after its commit inside one,
	 * and never when it rolls back.
	 * @param notified whether the insert has notified other processes already
	 */
	private void wakeWorkers(Set<String> queues, boolean notified) {
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					wakeCommitted(queues, notified);
				}
			});
		}
		else {
			wakeCommitted(queues, notified);
		}
	}

	private void wakeCommitted(Set<String> queues, boolean notified) {
		if (this.notifications != null && !notified) {
			this.notifications.send(queues);
		}
		for (String queue : queues) {
			for (Consumer<String> listener : this.wakeupListeners) {
				listener.accept(queue);
			}
		}
	}

	// ---- inspection and administration ---------------------------------------------------

	@Override
	public Optional<Job> find(long id) {
		return this.dialect.jobGet(id);
	}

	@Override
	public List<Job> list(JobQuery query) {
		return this.dialect.jobList(Objects.requireNonNull(query, "query must not be null"));
	}

	@Override
	public long count(String queue, JobState state) {
		return this.dialect.jobCount(queue, state);
	}

	@Override
	public Map<String, Map<JobState, Long>> countByQueueAndState() {
		return this.dialect.jobCountByQueueAndState();
	}

	/** Per queue, how long its oldest due READY job has waited (database clock). */
	public Map<String, Duration> oldestDueAge() {
		return this.dialect.jobOldestDueAge();
	}

	@Override
	public boolean cancel(long id) {
		return this.dialect.jobCancel(id);
	}

	@Override
	public boolean kill(long id, String reason) {
		if (reason == null || reason.isBlank()) {
			throw new IllegalArgumentException("A reason is required to kill job " + id);
		}
		return this.dialect.jobKill(id, "Killed: " + reason);
	}

	@Override
	public boolean retryDead(long id) {
		boolean replayed = this.dialect.jobRetryDead(id);
		if (replayed) {
			find(id).ifPresent((job) -> wakeWorkers(Set.of(job.queue()), false));
		}
		return replayed;
	}

	@Override
	public int retryDeadInQueue(String queue) {
		int replayed = this.dialect.jobRetryDeadInQueue(JobQueue.validateQueueName(queue));
		if (replayed > 0) {
			wakeWorkers(Set.of(queue), false);
		}
		return replayed;
	}

	@Override
	public int purge(JobState state, Duration olderThan) {
		Objects.requireNonNull(state, "state must not be null");
		Objects.requireNonNull(olderThan, "olderThan must not be null");
		if (!state.isFinished()) {
			throw new IllegalArgumentException("Only finished jobs (SUCCEEDED, DEAD, CANCELLED) can be purged, not "
					+ state);
		}
		if (olderThan.isNegative()) {
			throw new IllegalArgumentException("olderThan must not be negative, was " + olderThan);
		}
		int total = 0;
		int deleted;
		do {
			deleted = this.dialect.jobDeleteFinished(state, olderThan, 1000);
			total += deleted;
		}
		while (deleted == 1000);
		return total;
	}

	// ---- claiming by hand ------------------------------------------------------------------

	/**
	 * Claims up to {@code limit} due jobs of {@code queue} for the caller, in one statement and in claim
	 * order (priority, then run-at, then id), for code that pulls jobs itself instead of running a
	 * {@code JobWorker}. Each is RUNNING, its attempt incremented and leased for {@code lease} (database
	 * clock); record its outcome through the returned {@link ClaimedJob}. A job whose lease runs out is
	 * made READY again by the rescuer of any worker, or by {@link #rescueExpired()}.
	 * FIFO ordering is a worker setting and does not apply here.
	 * @return the claimed jobs, possibly none
	 */
	@Override
	public List<ClaimedJob> claim(String queue, int limit, Duration lease) {
		JobQueue.validateQueueName(queue);
		if (limit < 1 || limit > JobQuery.MAX_LIMIT) {
			throw new IllegalArgumentException("limit must be between 1 and " + JobQuery.MAX_LIMIT + ", was " + limit);
		}
		Objects.requireNonNull(lease, "lease must not be null");
		if (lease.isNegative() || lease.isZero()) {
			throw new IllegalArgumentException("lease must be positive, was " + lease);
		}
		return this.dialect.jobClaim(queue, limit, lease, CLAIMER_ID)
			.stream()
			.map((job) -> new ClaimedJob(this, job))
			.toList();
	}

	/**
	 * Claims the next due job of {@code queue}, waiting up to {@code wait} for one to become due.
	 * Enqueues from this JVM wake the wait at once; others are seen within a quarter of a second.
	 * @return the claimed job, or empty when none came in time
	 * @throws InterruptedException when the calling thread is interrupted while waiting
	 */
	@Override
	public Optional<ClaimedJob> poll(String queue, Duration wait, Duration lease) throws InterruptedException {
		Objects.requireNonNull(wait, "wait must not be null");
		long deadline = System.nanoTime() + wait.toNanos();
		Object signal = new Object();
		Consumer<String> wakeup = (name) -> {
			if (name.equals(queue)) {
				synchronized (signal) {
					signal.notifyAll();
				}
			}
		};
		addWakeupListener(wakeup);
		try {
			while (true) {
				List<ClaimedJob> claimed = claim(queue, 1, lease);
				if (!claimed.isEmpty()) {
					return Optional.of(claimed.get(0));
				}
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					return Optional.empty();
				}
				synchronized (signal) {
					signal.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(remaining), 250)));
				}
			}
		}
		finally {
			removeWakeupListener(wakeup);
		}
	}

	/**
	 * Makes RUNNING jobs whose lease expired READY again now (DEAD when that was their last attempt),
	 * instead of waiting for a worker's rescuer.
	 * @return how many jobs were rescued
	 */
	@Override
	public int rescueExpired() {
		return this.dialect.jobRescueExpired();
	}

	// ---- collaborators -----------------------------------------------------------------

	/** The type registry filled by handler registration and read at enqueue. */
	public JobTypeRegistry types() {
		return this.types;
	}

	public DataSource dataSource() {
		return this.dataSource;
	}

	/**
	 * The origin this queue object's PostgreSQL notifications carry. A worker on this queue object
	 * is woken directly by its enqueues and ignores notifications with this origin.
	 */
	public String notificationOrigin() {
		return this.notificationOrigin;
	}

	/** The SQL dialect chosen for the database. */
	public Dialect dialect() {
		return this.dialect;
	}

	public PayloadCodec codec() {
		return this.codec;
	}

	/** The interceptors, outermost first. */
	public List<JobInterceptor> interceptors() {
		return this.interceptors;
	}

	/** Adds a listener of job events on this node. */
	public void addListener(JobEventListener listener) {
		this.listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
	}

	/** All listeners as one; never throws. */
	public JobEventListener events() {
		return this.events;
	}

	/** Whether enqueue sends PostgreSQL notifications that wake workers in other processes. */
	public boolean notificationsEnabled() {
		return this.notifications != null;
	}

	/**
	 * Sends the notifications of jobs enqueued so far, waiting at most a second, and stops the thread
	 * that sends them. Call it before closing the {@code DataSource} (Spring calls it on a
	 * {@code JdbcJobQueue} bean before the {@code DataSource} it depends on is closed). The queue
	 * still works afterwards: later enqueues send their notifications on the calling thread. Does not
	 * close the {@code DataSource}.
	 */
	public void close() {
		if (this.notifications != null) {
			this.notifications.close(Duration.ofSeconds(1));
		}
	}

	/**
	 * Adds a callback run with a queue's name when a due job was enqueued to it from this JVM (after
	 * commit). Workers in this JVM use it to start at once instead of at their next poll.
	 */
	public void addWakeupListener(Consumer<String> listener) {
		this.wakeupListeners.add(Objects.requireNonNull(listener, "listener must not be null"));
	}

	public void removeWakeupListener(Consumer<String> listener) {
		this.wakeupListeners.remove(listener);
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
			this.tablePrefix = Dialect.validateTablePrefix(tablePrefix);
			return this;
		}

		/** The Jackson mapper whose modules and settings payloads are written and read with. */
		public Builder jsonMapper(JsonMapper jsonMapper) {
			this.jsonMapper = jsonMapper;
			return this;
		}

		/** A codec other than Jackson's. */
		public Builder codec(PayloadCodec codec) {
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
			if (maxPayloadBytes < 1) {
				throw new IllegalArgumentException("maxPayloadBytes must be positive, was " + maxPayloadBytes);
			}
			this.maxPayloadBytes = maxPayloadBytes;
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
