package io.sqlqueue.worker;

import java.time.Duration;

import io.sqlqueue.InvalidSettingException;

/**
 * How long finished jobs are kept before the cleaner deletes them. A job enqueued with its own
 * retention keeps that instead.
 *
 * <pre>{@code
 * Retention retention = Retention.DEFAULT.withDead(Duration.ofDays(30));
 * }</pre>
 *
 * @param succeeded how long SUCCEEDED jobs are kept
 * @param dead how long DEAD jobs are kept
 * @param cancelled how long CANCELLED jobs are kept
 */
public record Retention(Duration succeeded, Duration dead, Duration cancelled) {

	/** The default: succeeded 1 day, dead and cancelled 14 days. */
	public static final Retention DEFAULT = new Retention(Duration.ofDays(1), Duration.ofDays(14), Duration.ofDays(14));

	/**
	 * Checks the retention.
	 * @throws InvalidSettingException when a duration is {@code null} or negative
	 */
	public Retention {
		InvalidSettingException.requireNotNegative("succeeded", succeeded);
		InvalidSettingException.requireNotNegative("dead", dead);
		InvalidSettingException.requireNotNegative("cancelled", cancelled);
	}

	/**
	 * A copy keeping SUCCEEDED jobs for {@code succeeded}.
	 * @throws InvalidSettingException when {@code succeeded} is {@code null} or negative
	 */
	public Retention withSucceeded(Duration succeeded) {
		return new Retention(succeeded, this.dead, this.cancelled);
	}

	/**
	 * A copy keeping DEAD jobs for {@code dead}.
	 * @throws InvalidSettingException when {@code dead} is {@code null} or negative
	 */
	public Retention withDead(Duration dead) {
		return new Retention(this.succeeded, dead, this.cancelled);
	}

	/**
	 * A copy keeping CANCELLED jobs for {@code cancelled}.
	 * @throws InvalidSettingException when {@code cancelled} is {@code null} or negative
	 */
	public Retention withCancelled(Duration cancelled) {
		return new Retention(this.succeeded, this.dead, cancelled);
	}

}
