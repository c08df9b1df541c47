package io.sqlqueue.test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

import io.sqlqueue.Job;
import io.sqlqueue.JobState;
import io.sqlqueue.PayloadCodecException;
import io.sqlqueue.codec.PayloadCodec;

/**
 * What an enqueued job must be like, beyond its type, for the assertions of {@link EnqueuedJobsAssert}: every
 * criterion set must hold. By default a job counts as enqueued while it waits to run (READY or WAITING).
 *
 * <pre>{@code
 * queue.assertThat().hasEnqueued("send-email", JobCriteria.any()
 *         .inQueue("mail")
 *         .withPriority(5)
 *         .withPayload(SendEmail.class, (email) -> email.to().equals("ada@example.com")));
 * }</pre>
 */
public final class JobCriteria {

	private static final Set<JobState> WAITING_TO_RUN = EnumSet.of(JobState.READY, JobState.WAITING);

	private final Set<JobState> states;

	private final @Nullable String queue;

	private final @Nullable Integer priority;

	private final @Nullable Instant runAt;

	private final @Nullable Duration runAtTolerance;

	private final Map<String, String> metadata;

	private final @Nullable String uniqueKey;

	private final @Nullable Long parentId;

	private final List<PayloadMatch<?>> payloads;

	private JobCriteria(Set<JobState> states, @Nullable String queue, @Nullable Integer priority, @Nullable Instant runAt,
			@Nullable Duration runAtTolerance, Map<String, String> metadata, @Nullable String uniqueKey, @Nullable Long parentId,
			List<PayloadMatch<?>> payloads) {
		this.states = states;
		this.queue = queue;
		this.priority = priority;
		this.runAt = runAt;
		this.runAtTolerance = runAtTolerance;
		this.metadata = metadata;
		this.uniqueKey = uniqueKey;
		this.parentId = parentId;
		this.payloads = payloads;
	}

	/** Any job waiting to run (READY or WAITING). */
	public static JobCriteria any() {
		return new JobCriteria(WAITING_TO_RUN, null, null, null, null, Map.of(), null, null, List.of());
	}

	/** Only jobs in one of {@code states} (instead of READY or WAITING): {@code SUCCEEDED} after a drain, say. */
	public JobCriteria inState(JobState... states) {
		if (states.length == 0) {
			throw new IllegalArgumentException("Name at least one state");
		}
		return new JobCriteria(EnumSet.of(states[0], states), this.queue, this.priority, this.runAt, this.runAtTolerance,
				this.metadata, this.uniqueKey, this.parentId, this.payloads);
	}

	/** Jobs in any state. */
	public JobCriteria inAnyState() {
		return new JobCriteria(EnumSet.allOf(JobState.class), this.queue, this.priority, this.runAt, this.runAtTolerance,
				this.metadata, this.uniqueKey, this.parentId, this.payloads);
	}

	/** Only jobs of {@code queue}. */
	public JobCriteria inQueue(String queue) {
		return new JobCriteria(this.states, Objects.requireNonNull(queue, "queue must not be null"), this.priority,
				this.runAt, this.runAtTolerance, this.metadata, this.uniqueKey, this.parentId, this.payloads);
	}

	/** Only jobs of {@code priority}. */
	public JobCriteria withPriority(int priority) {
		return new JobCriteria(this.states, this.queue, priority, this.runAt, this.runAtTolerance, this.metadata,
				this.uniqueKey, this.parentId, this.payloads);
	}

	/**
	 * Only jobs due at {@code runAt} give or take {@code tolerance}. Due times are the database's; for a job
	 * enqueued with a delay, compare with {@code jobQueue.databaseTime().plus(delay)}.
	 */
	public JobCriteria runAt(Instant runAt, Duration tolerance) {
		if (tolerance == null || tolerance.isNegative()) {
			throw new IllegalArgumentException("tolerance must not be null or negative, was " + tolerance);
		}
		return new JobCriteria(this.states, this.queue, this.priority, Objects.requireNonNull(runAt, "runAt must not be null"),
				tolerance, this.metadata, this.uniqueKey, this.parentId, this.payloads);
	}

	/** Only jobs whose metadata holds {@code key} with {@code value} (other entries may be there too). */
	public JobCriteria withMetadata(String key, String value) {
		Map<String, String> all = new LinkedHashMap<>(this.metadata);
		all.put(Objects.requireNonNull(key, "key must not be null"), Objects.requireNonNull(value, "value must not be null"));
		return new JobCriteria(this.states, this.queue, this.priority, this.runAt, this.runAtTolerance, Map.copyOf(all),
				this.uniqueKey, this.parentId, this.payloads);
	}

	/** Only jobs holding {@code uniqueKey}. */
	public JobCriteria withUniqueKey(String uniqueKey) {
		return new JobCriteria(this.states, this.queue, this.priority, this.runAt, this.runAtTolerance, this.metadata,
				Objects.requireNonNull(uniqueKey, "uniqueKey must not be null"), this.parentId, this.payloads);
	}

	/** Only jobs that wait for (or waited for) job {@code parentId}. */
	public JobCriteria withParent(long parentId) {
		return new JobCriteria(this.states, this.queue, this.priority, this.runAt, this.runAtTolerance, this.metadata,
				this.uniqueKey, parentId, this.payloads);
	}

	/**
	 * Only jobs whose payload, read as {@code payloadClass} with the queue's codec, satisfies {@code predicate}.
	 * A payload that cannot be read as that class does not match.
	 */
	public <T> JobCriteria withPayload(Class<T> payloadClass, Predicate<? super T> predicate) {
		List<PayloadMatch<?>> all = new ArrayList<>(this.payloads);
		all.add(new PayloadMatch<>(Objects.requireNonNull(payloadClass, "payloadClass must not be null"),
				Objects.requireNonNull(predicate, "predicate must not be null")));
		return new JobCriteria(this.states, this.queue, this.priority, this.runAt, this.runAtTolerance, this.metadata,
				this.uniqueKey, this.parentId, List.copyOf(all));
	}

	/** The states a job must be in. */
	public Set<JobState> states() {
		return Set.copyOf(this.states);
	}

	/** Whether {@code job} meets every criterion, its payload read with {@code codec}. */
	public boolean matches(Job job, PayloadCodec codec) {
		return this.states.contains(job.state()) && (this.queue == null || this.queue.equals(job.queue()))
				&& (this.priority == null || this.priority == job.priority()) && runAtMatches(job)
				&& job.metadata().entrySet().containsAll(this.metadata.entrySet())
				&& (this.uniqueKey == null || this.uniqueKey.equals(job.uniqueKey()))
				&& (this.parentId == null || this.parentId.equals(job.parentId()))
				&& this.payloads.stream().allMatch((match) -> match.matches(job.payload(), codec));
	}

	private boolean runAtMatches(Job job) {
		return this.runAt == null
				|| Duration.between(this.runAt, job.runAt()).abs().compareTo(this.runAtTolerance) <= 0;
	}

	/** The criteria in words, for failure messages. */
	@Override
	public String toString() {
		StringBuilder text = new StringBuilder("in state ").append(this.states);
		if (this.queue != null) {
			text.append(", in queue '").append(this.queue).append('\'');
		}
		if (this.priority != null) {
			text.append(", of priority ").append(this.priority);
		}
		if (this.runAt != null) {
			text.append(", due at ").append(this.runAt).append(" ± ").append(this.runAtTolerance);
		}
		if (!this.metadata.isEmpty()) {
			text.append(", with metadata ").append(this.metadata);
		}
		if (this.uniqueKey != null) {
			text.append(", with unique key '").append(this.uniqueKey).append('\'');
		}
		if (this.parentId != null) {
			text.append(", with parent ").append(this.parentId);
		}
		for (PayloadMatch<?> match : this.payloads) {
			text.append(", with a ").append(match.payloadClass.getSimpleName()).append(" payload matching the predicate");
		}
		return text.toString();
	}

	private record PayloadMatch<T>(Class<T> payloadClass, Predicate<? super T> predicate) {

		boolean matches(String json, PayloadCodec codec) {
			Object payload;
			try {
				payload = codec.decode(json, this.payloadClass);
			}
			catch (PayloadCodecException ex) {
				return false;
			}
			return this.payloadClass.isInstance(payload) && this.predicate.test(this.payloadClass.cast(payload));
		}

	}

}
