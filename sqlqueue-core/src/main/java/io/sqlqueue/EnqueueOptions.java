package io.sqlqueue;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.sqlqueue.worker.Backoff;

/**
 * How a job is enqueued. Immutable: every {@code with*} method returns a copy.
 *
 * <pre>{@code
 * jobQueue.enqueue("send-email", email, EnqueueOptions.defaults()
 *         .withQueue("mail")
 *         .withDelay(Duration.ofMinutes(5))
 *         .withUniqueKey("welcome-" + userId));
 * }</pre>
 *
 * <p>Values left unset are resolved at enqueue: the queue from the handler registered for the type
 * (else {@value JobQueue#DEFAULT_QUEUE}), max attempts from the handler or queue settings (else
 * {@value JobQueue#DEFAULT_MAX_ATTEMPTS}).
 */
public final class EnqueueOptions {

	/** What enqueue does when a READY or RUNNING job already holds the unique key. */
	public enum UniquePolicy {

		/** Return the existing job's id and insert nothing. */
		RETURN_EXISTING,
		/** Throw {@link DuplicateJobException}. */
		REJECT

	}

	private static final EnqueueOptions DEFAULTS = new EnqueueOptions(null, 0, null, null, null, null,
			UniquePolicy.RETURN_EXISTING, Map.of(), null, null, null, null, null, null);

	private final String queue;

	private final int priority;

	private final Duration delay;

	private final Instant runAt;

	private final Integer maxAttempts;

	private final String uniqueKey;

	private final UniquePolicy uniquePolicy;

	private final Map<String, String> metadata;

	private final Long parentId;

	private final String orderingKey;

	private final Duration retention;

	private final String concurrencyKey;

	private final Duration uniqueFor;

	private final Set<JobState> uniqueAmong;

	private EnqueueOptions(String queue, int priority, Duration delay, Instant runAt, Integer maxAttempts,
			String uniqueKey, UniquePolicy uniquePolicy, Map<String, String> metadata, Long parentId,
			String orderingKey, Duration retention, String concurrencyKey, Duration uniqueFor, Set<JobState> uniqueAmong) {
		this.queue = queue;
		this.priority = priority;
		this.delay = delay;
		this.runAt = runAt;
		this.maxAttempts = maxAttempts;
		this.uniqueKey = uniqueKey;
		this.uniquePolicy = uniquePolicy;
		this.metadata = metadata;
		this.parentId = parentId;
		this.orderingKey = orderingKey;
		this.retention = retention;
		this.concurrencyKey = concurrencyKey;
		this.uniqueFor = uniqueFor;
		this.uniqueAmong = uniqueAmong;
	}

	/** Options with nothing set: default queue, priority 0, run now. */
	public static EnqueueOptions defaults() {
		return DEFAULTS;
	}

	/** Runs the job on {@code queue} instead of its type's queue. */
	public EnqueueOptions withQueue(String queue) {
		JobQueue.validateQueueName(queue);
		return new EnqueueOptions(queue, this.priority, this.delay, this.runAt, this.maxAttempts, this.uniqueKey,
				this.uniquePolicy, this.metadata, this.parentId, this.orderingKey, this.retention, this.concurrencyKey, this.uniqueFor,
				this.uniqueAmong);
	}

	/** Higher priorities are claimed first within a queue; the default is 0. */
	public EnqueueOptions withPriority(int priority) {
		return new EnqueueOptions(this.queue, priority, this.delay, this.runAt, this.maxAttempts, this.uniqueKey,
				this.uniquePolicy, this.metadata, this.parentId, this.orderingKey, this.retention, this.concurrencyKey, this.uniqueFor,
				this.uniqueAmong);
	}

	/** Runs the job no sooner than {@code delay} after enqueue (database clock). */
	public EnqueueOptions withDelay(Duration delay) {
		Objects.requireNonNull(delay, "delay must not be null");
		if (delay.isNegative()) {
			throw new IllegalArgumentException("delay must not be negative, was " + delay);
		}
		return new EnqueueOptions(this.queue, this.priority, delay, null, this.maxAttempts, this.uniqueKey,
				this.uniquePolicy, this.metadata, this.parentId, this.orderingKey, this.retention, this.concurrencyKey, this.uniqueFor,
				this.uniqueAmong);
	}

	/** Runs the job no sooner than {@code runAt}; replaces any delay. */
	public EnqueueOptions withRunAt(Instant runAt) {
		Objects.requireNonNull(runAt, "runAt must not be null");
		return new EnqueueOptions(this.queue, this.priority, null, runAt, this.maxAttempts, this.uniqueKey,
				this.uniquePolicy, this.metadata, this.parentId, this.orderingKey, this.retention, this.concurrencyKey, this.uniqueFor,
				this.uniqueAmong);
	}

	/** Attempts before the job is dead-lettered; {@code -1} retries forever. */
	public EnqueueOptions withMaxAttempts(int maxAttempts) {
		if (maxAttempts == 0 || maxAttempts < -1) {
			throw new IllegalArgumentException("maxAttempts must be positive or -1 (no limit), was " + maxAttempts);
		}
		return new EnqueueOptions(this.queue, this.priority, this.delay, this.runAt, maxAttempts, this.uniqueKey,
				this.uniquePolicy, this.metadata, this.parentId, this.orderingKey, this.retention, this.concurrencyKey, this.uniqueFor,
				this.uniqueAmong);
	}

	/**
	 * At most one READY or RUNNING job holds {@code uniqueKey}; a second enqueue returns the existing
	 * job's id (or throws, with {@link UniquePolicy#REJECT}).
	 */
	public EnqueueOptions withUniqueKey(String uniqueKey) {
		return withUniqueKey(uniqueKey, UniquePolicy.RETURN_EXISTING);
	}

	/** Like {@link #withUniqueKey(String)}, choosing what happens on a conflict. */
	public EnqueueOptions withUniqueKey(String uniqueKey, UniquePolicy policy) {
		requireText(uniqueKey, "uniqueKey", 255);
		Objects.requireNonNull(policy, "policy must not be null");
		return new EnqueueOptions(this.queue, this.priority, this.delay, this.runAt, this.maxAttempts, uniqueKey,
				policy, this.metadata, this.parentId, this.orderingKey, this.retention, this.concurrencyKey, this.uniqueFor,
				this.uniqueAmong);
	}

	/** Adds a metadata entry, stored with the job and handed to its handler. */
	public EnqueueOptions withMetadata(String key, String value) {
		requireText(key, "metadata key", 255);
		Objects.requireNonNull(value, () -> "metadata value for '" + key + "' must not be null");
		Map<String, String> copy = new LinkedHashMap<>(this.metadata);
		copy.put(key, value);
		return new EnqueueOptions(this.queue, this.priority, this.delay, this.runAt, this.maxAttempts, this.uniqueKey,
				this.uniquePolicy, Map.copyOf(copy), this.parentId, this.orderingKey, this.retention, this.concurrencyKey, this.uniqueFor,
				this.uniqueAmong);
	}

	/** Adds all entries of {@code metadata}. */
	public EnqueueOptions withMetadata(Map<String, String> metadata) {
		EnqueueOptions options = this;
		for (Map.Entry<String, String> entry : metadata.entrySet()) {
			options = options.withMetadata(entry.getKey(), entry.getValue());
		}
		return options;
	}

	/**
	 * A retry backoff for this job alone, winning over its handler's and its queue's (kept in its metadata
	 * under {@value io.sqlqueue.worker.Backoff#METADATA_KEY}).
	 */
	public EnqueueOptions withBackoff(Backoff backoff) {
		Objects.requireNonNull(backoff, "backoff must not be null");
		return withMetadata(Backoff.METADATA_KEY, backoff.toMetadataValue());
	}

	/**
	 * Holds the job in {@link JobState#WAITING} until job {@code parentId} has succeeded; if the
	 * parent is dead-lettered or cancelled, this job is cancelled with a reason naming it.
	 */
	public EnqueueOptions withParent(long parentId) {
		return new EnqueueOptions(this.queue, this.priority, this.delay, this.runAt, this.maxAttempts, this.uniqueKey,
				this.uniquePolicy, this.metadata, parentId, this.orderingKey, this.retention, this.concurrencyKey, this.uniqueFor,
				this.uniqueAmong);
	}

	/**
	 * On a FIFO queue, jobs with the same ordering key run one at a time in enqueue order; a
	 * retrying job holds back the ones behind it.
	 */
	public EnqueueOptions withOrderingKey(String orderingKey) {
		requireText(orderingKey, "orderingKey", 255);
		return new EnqueueOptions(this.queue, this.priority, this.delay, this.runAt, this.maxAttempts, this.uniqueKey,
				this.uniquePolicy, this.metadata, this.parentId, orderingKey, this.retention, this.concurrencyKey, this.uniqueFor,
				this.uniqueAmong);
	}

	/** Keeps the job for {@code retention} after it finishes, instead of the configured retention. */
	public EnqueueOptions withRetention(Duration retention) {
		Objects.requireNonNull(retention, "retention must not be null");
		if (retention.isNegative()) {
			throw new IllegalArgumentException("retention must not be negative, was " + retention);
		}
		return new EnqueueOptions(this.queue, this.priority, this.delay, this.runAt, this.maxAttempts, this.uniqueKey,
				this.uniquePolicy, this.metadata, this.parentId, this.orderingKey, retention, this.concurrencyKey, this.uniqueFor,
				this.uniqueAmong);
	}

	/**
	 * Counts the job under {@code concurrencyKey} (a tenant, a customer) for its queue's per-key limits: at most
	 * {@code key-concurrency} jobs of one key run at once across the cluster, and with a per-key rate limit at most
	 * that many start per period, so that one key's backlog does not starve the others.
	 */
	public EnqueueOptions withConcurrencyKey(String concurrencyKey) {
		requireText(concurrencyKey, "concurrencyKey", 255);
		return new EnqueueOptions(this.queue, this.priority, this.delay, this.runAt, this.maxAttempts, this.uniqueKey,
				this.uniquePolicy, this.metadata, this.parentId, this.orderingKey, this.retention, concurrencyKey,
				this.uniqueFor, this.uniqueAmong);
	}

	/**
	 * With a {@link #withUniqueKey(String) unique key}: at most one job with the key enqueued within {@code period},
	 * whatever state it is in now; an enqueue within the period returns that job's id (or throws, with
	 * {@link UniquePolicy#REJECT}). Jobs deleted by retention no longer count.
	 */
	public EnqueueOptions withUniqueFor(Duration period) {
		Objects.requireNonNull(period, "period must not be null");
		if (period.isNegative() || period.isZero()) {
			throw new IllegalArgumentException("the unique period must be positive, was " + period);
		}
		return new EnqueueOptions(this.queue, this.priority, this.delay, this.runAt, this.maxAttempts, this.uniqueKey,
				this.uniquePolicy, this.metadata, this.parentId, this.orderingKey, this.retention, this.concurrencyKey,
				period, this.uniqueAmong);
	}

	/**
	 * With a {@link #withUniqueKey(String) unique key}: at most one job with the key in {@code states} besides
	 * READY, RUNNING and WAITING, which always count: {@code withUniqueAmong(JobState.SUCCEEDED)} makes an event
	 * handled once, however often it is delivered, for as long as the succeeded job is kept.
	 */
	public EnqueueOptions withUniqueAmong(JobState... states) {
		Set<JobState> among = EnumSet.of(JobState.READY, JobState.RUNNING, JobState.WAITING);
		for (JobState state : states) {
			among.add(Objects.requireNonNull(state, "a state must not be null"));
		}
		return new EnqueueOptions(this.queue, this.priority, this.delay, this.runAt, this.maxAttempts, this.uniqueKey,
				this.uniquePolicy, this.metadata, this.parentId, this.orderingKey, this.retention, this.concurrencyKey,
				this.uniqueFor, Set.copyOf(among));
	}

	/** The concurrency key set with {@link #withConcurrencyKey(String)}, or {@code null} for none. */
	public @Nullable String concurrencyKey() {
		return this.concurrencyKey;
	}

	/** The period set with {@link #withUniqueFor(Duration)}, or {@code null} for none. */
	public @Nullable Duration uniqueFor() {
		return this.uniqueFor;
	}

	/** The states set with {@link #withUniqueAmong(JobState...)}, or {@code null} for the active ones alone. */
	public @Nullable Set<JobState> uniqueAmong() {
		return this.uniqueAmong;
	}

	/** The queue set with {@link #withQueue(String)}, or {@code null} when the type's queue applies. */
	public @Nullable String queue() {
		return this.queue;
	}

	/** The priority set with {@link #withPriority(int)}; {@code 0} unless set. */
	public int priority() {
		return this.priority;
	}

	/** The delay set with {@link #withDelay(Duration)}, or {@code null} when none is set or a run time replaced it. */
	public @Nullable Duration delay() {
		return this.delay;
	}

	/**
	 * The earliest run time set with {@link #withRunAt(Instant)}, or {@code null} when none is set or a delay
	 * replaced it.
	 */
	public @Nullable Instant runAt() {
		return this.runAt;
	}

	/**
	 * The attempts set with {@link #withMaxAttempts(int)} ({@code -1} for no limit), or {@code null} when the
	 * handler's or queue's apply.
	 */
	public @Nullable Integer maxAttempts() {
		return this.maxAttempts;
	}

	/** The unique key set with {@link #withUniqueKey(String)}, or {@code null} for none. */
	public @Nullable String uniqueKey() {
		return this.uniqueKey;
	}

	/** What enqueue does when the unique key is held; {@link UniquePolicy#RETURN_EXISTING} unless set. */
	public UniquePolicy uniquePolicy() {
		return this.uniquePolicy;
	}

	/** The metadata entries added so far, as an unmodifiable map; empty unless set. */
	public Map<String, String> metadata() {
		return this.metadata;
	}

	/** The id of the job this one waits for, set with {@link #withParent(long)}, or {@code null} for none. */
	public @Nullable Long parentId() {
		return this.parentId;
	}

	/** The ordering key set with {@link #withOrderingKey(String)}, or {@code null} for none. */
	public @Nullable String orderingKey() {
		return this.orderingKey;
	}

	/**
	 * The retention set with {@link #withRetention(Duration)}, or {@code null} when the configured retention of
	 * the job's final state applies.
	 */
	public @Nullable Duration retention() {
		return this.retention;
	}

	private static void requireText(String value, String name, int maxLength) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(name + " must not be null or blank");
		}
		if (value.length() > maxLength) {
			throw new IllegalArgumentException(name + " must be at most " + maxLength + " characters, was "
					+ value.length());
		}
	}

	@Override
	public String toString() {
		return "EnqueueOptions[queue=" + this.queue + ", priority=" + this.priority + ", delay=" + this.delay
				+ ", runAt=" + this.runAt + ", maxAttempts=" + this.maxAttempts + ", uniqueKey=" + this.uniqueKey
				+ ", parentId=" + this.parentId + ", orderingKey=" + this.orderingKey + ", concurrencyKey="
				+ this.concurrencyKey + ", uniqueFor=" + this.uniqueFor + ", uniqueAmong=" + this.uniqueAmong + "]";
	}

}
