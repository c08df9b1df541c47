package io.sqlqueue;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * What this node knows about job types: the payload class each handler declares (for typed
 * enqueue), the queue it runs on and its max attempts, and per-queue max attempts. Filled by
 * handler registration; read at enqueue to resolve what the options leave unset.
 *
 * <pre>{@code
 * jobQueue.types().register("send-email", SendEmail.class, "mail", null); // on a node that runs no handler
 * jobQueue.enqueue(new SendEmail(to)); // a "send-email" job on queue "mail"
 * }</pre>
 */
public final class JobTypeRegistry {

	/** What is known of one job type. */
	public record TypeInfo(String type, @Nullable Class<?> payloadClass, @Nullable String queue, @Nullable Integer maxAttempts) {
	}

	private final Map<String, TypeInfo> byType = new ConcurrentHashMap<>();

	private final Map<Class<?>, String> byClass = new ConcurrentHashMap<>();

	private final Map<String, Integer> queueMaxAttempts = new ConcurrentHashMap<>();

	private volatile int defaultMaxAttempts = JobQueue.DEFAULT_MAX_ATTEMPTS;

	/**
	 * Registers a type.
	 * @param payloadClass the class typed enqueue maps to this type, or {@code null}
	 * @param queue the queue jobs of this type run on by default, or {@code null}
	 * @param maxAttempts the type's max attempts, or {@code null} for the queue's
	 * @throws IllegalStateException when the type or payload class is registered to another type already
	 */
	public void register(String type, @Nullable Class<?> payloadClass, @Nullable String queue, @Nullable Integer maxAttempts) {
		JobQueue.validateType(type);
		TypeInfo info = new TypeInfo(type, payloadClass, (queue != null) ? JobQueue.validateQueueName(queue) : null,
				maxAttempts);
		TypeInfo previous = this.byType.putIfAbsent(type, info);
		if (previous != null && !previous.equals(info)) {
			throw new IllegalStateException("Job type '" + type + "' is registered twice");
		}
		if (payloadClass != null && payloadClass != Object.class) {
			String other = this.byClass.putIfAbsent(payloadClass, type);
			if (other != null && !other.equals(type)) {
				// ambiguous: typed enqueue of this class must name its type
				this.byClass.put(payloadClass, "");
			}
		}
	}

	/** Sets the max attempts of jobs enqueued to {@code queue} whose type does not say. */
	public void setQueueMaxAttempts(String queue, int maxAttempts) {
		this.queueMaxAttempts.put(JobQueue.validateQueueName(queue), maxAttempts);
	}

	/** Sets the max attempts used when neither type nor queue say. */
	public void setDefaultMaxAttempts(int maxAttempts) {
		this.defaultMaxAttempts = maxAttempts;
	}

	/**
	 * What is registered for {@code type}, or empty when no handler registered it; {@code type} must not be
	 * {@code null}.
	 */
	public Optional<TypeInfo> find(String type) {
		return Optional.ofNullable(this.byType.get(type));
	}

	/**
	 * The type registered for {@code payloadClass}.
	 * @throws UnknownJobTypeException when none or several are
	 */
	public String typeOf(Class<?> payloadClass) {
		Objects.requireNonNull(payloadClass, "payload must not be null");
		String type = this.byClass.get(payloadClass);
		if (type == null) {
			throw new UnknownJobTypeException("No job handler is registered for payload class "
					+ payloadClass.getName() + ": register one, or enqueue with an explicit type");
		}
		if (type.isEmpty()) {
			throw new UnknownJobTypeException("Several job types take payload class " + payloadClass.getName()
					+ ": enqueue with an explicit type");
		}
		return type;
	}

	/** The queue a job of {@code type} enqueued with {@code options} goes to: the options', else its handler's, else the default. */
	public String queueFor(String type, EnqueueOptions options) {
		if (options.queue() != null) {
			return options.queue();
		}
		TypeInfo info = this.byType.get(type);
		return (info != null && info.queue() != null) ? info.queue() : JobQueue.DEFAULT_QUEUE;
	}

	/** The attempts of a job of {@code type} on {@code queue}: the options', else its handler's, else the queue's. */
	public int maxAttemptsFor(String type, String queue, EnqueueOptions options) {
		if (options.maxAttempts() != null) {
			return options.maxAttempts();
		}
		TypeInfo info = this.byType.get(type);
		if (info != null && info.maxAttempts() != null) {
			return info.maxAttempts();
		}
		return this.queueMaxAttempts.getOrDefault(queue, this.defaultMaxAttempts);
	}

}
