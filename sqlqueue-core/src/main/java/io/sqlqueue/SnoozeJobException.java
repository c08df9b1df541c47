package io.sqlqueue;

import java.time.Duration;
import java.util.Objects;

/**
 * Thrown by a handler to say "not now, try again in {@link #delay()}": the job goes back to READY, due after
 * the delay, without spending an attempt (its fencing token still advances; only the counted attempts do
 * not). A handler can also call {@link JobContext#snooze(Duration)} and return.
 *
 * <pre>{@code
 * if (!partner.isOpen()) {
 *     throw new SnoozeJobException(Duration.ofMinutes(10));
 * }
 * }</pre>
 */
public class SnoozeJobException extends SqlQueueException {

	private final Duration delay;

	/** Snoozes the job for {@code delay}, zero or more. */
	public SnoozeJobException(Duration delay) {
		super("Snoozed for " + delay);
		this.delay = requireDelay(delay);
	}

	/** The time until the job is due again. */
	public Duration delay() {
		return this.delay;
	}

	static Duration requireDelay(Duration delay) {
		Objects.requireNonNull(delay, "the snooze delay must not be null");
		if (delay.isNegative()) {
			throw new IllegalArgumentException("the snooze delay must not be negative, was " + delay);
		}
		return delay;
	}

}
