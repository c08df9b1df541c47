package io.sqlqueue.worker;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.sqlqueue.InvalidSettingException;
import io.sqlqueue.JobHandlerFunction;
import io.sqlqueue.JobQueue;

/**
 * A handler for one job type, with the settings that override its queue's.
 *
 * <pre>{@code
 * HandlerSpec.of("send-email", SendEmail.class, mailer::send).onQueue("mail").withMaxAttempts(3);
 * }</pre>
 *
 * @param type the job type
 * @param payloadType the type the JSON payload is bound to (may be generic)
 * @param handler the handler
 * @param queue the queue jobs of this type run on when enqueue does not say, or {@code null} for
 * the default queue
 * @param maxAttempts attempts for jobs of this type, or {@code null} for the queue's
 * @param backoff backoff for jobs of this type, or {@code null} for the queue's
 * @param timeout how long a run may take before its handler is interrupted and the run fails (retried, or dead on
 * its last attempt), or {@code null} for no limit but the lease
 * @param <T> the payload type
 */
public record HandlerSpec<T>(String type, Type payloadType, JobHandlerFunction<T> handler, @Nullable String queue,
		@Nullable Integer maxAttempts, @Nullable Backoff backoff, @Nullable Duration timeout) {

	/**
	 * Checks the spec; {@code null} queue, max attempts or backoff leave the queue's settings in force.
	 * @throws IllegalArgumentException when the type is null, blank or longer than 255 characters, or the queue name
	 * is not valid
	 * @throws InvalidSettingException when {@code maxAttempts} is neither positive, {@code -1} nor {@code null}
	 * @throws NullPointerException when {@code payloadType} or {@code handler} is {@code null}
	 */
	public HandlerSpec {
		JobQueue.validateType(type);
		Objects.requireNonNull(payloadType, "payloadType must not be null");
		Objects.requireNonNull(handler, "handler must not be null");
		if (queue != null) {
			JobQueue.validateQueueName(queue);
		}
		if (maxAttempts != null) {
			InvalidSettingException.requireAttempts("maxAttempts", maxAttempts);
		}
		if (timeout != null) {
			InvalidSettingException.requirePositive("timeout", timeout);
		}
	}

	/** A handler on the default queue with the queue's settings. */
	public static <T> HandlerSpec<T> of(String type, Class<T> payloadClass, JobHandlerFunction<T> handler) {
		return new HandlerSpec<>(type, payloadClass, handler, null, null, null, null);
	}

	/** A handler whose payload type is generic, such as {@code List<Long>}. */
	public static <T> HandlerSpec<T> of(String type, Type payloadType, JobHandlerFunction<T> handler) {
		return new HandlerSpec<>(type, payloadType, handler, null, null, null, null);
	}

	/**
	 * A copy whose jobs run on {@code queue} when enqueue does not name one; {@code null} for the default queue.
	 * @throws IllegalArgumentException when {@code queue} is not a valid queue name
	 */
	public HandlerSpec<T> onQueue(@Nullable String queue) {
		return new HandlerSpec<>(this.type, this.payloadType, this.handler, queue, this.maxAttempts, this.backoff,
				this.timeout);
	}

	/**
	 * A copy whose jobs get {@code maxAttempts} attempts ({@code -1} for no limit) unless enqueue says;
	 * {@code null} for the queue's.
	 * @throws InvalidSettingException when {@code maxAttempts} is neither positive, {@code -1} nor {@code null}
	 */
	public HandlerSpec<T> withMaxAttempts(@Nullable Integer maxAttempts) {
		return new HandlerSpec<>(this.type, this.payloadType, this.handler, this.queue, maxAttempts, this.backoff,
				this.timeout);
	}

	/**
	 * A copy whose failed jobs wait {@code backoff} before their next attempt unless enqueue gives one;
	 * {@code null} for the queue's.
	 */
	public HandlerSpec<T> withBackoff(@Nullable Backoff backoff) {
		return new HandlerSpec<>(this.type, this.payloadType, this.handler, this.queue, this.maxAttempts, backoff,
				this.timeout);
	}

	/** The queue jobs of this type run on by default. */
	public String effectiveQueue() {
		return (this.queue != null) ? this.queue : JobQueue.DEFAULT_QUEUE;
	}

	/**
	 * A copy whose runs are interrupted once they took {@code timeout}: the run fails with a reason naming the
	 * timeout and is retried, or dead on its last attempt, whatever the lease; {@code null} for no limit.
	 * @throws InvalidSettingException when {@code timeout} is zero or negative
	 */
	public HandlerSpec<T> withTimeout(@Nullable Duration timeout) {
		return new HandlerSpec<>(this.type, this.payloadType, this.handler, this.queue, this.maxAttempts, this.backoff,
				timeout);
	}

}
