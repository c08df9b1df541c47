package io.sqlqueue;

import java.time.ZoneId;

import org.jspecify.annotations.Nullable;
import org.springframework.scheduling.support.CronExpression;

/**
 * A job enqueued on a cron schedule. However many nodes run the schedule, each tick enqueues
 * exactly one job: the next tick is stored in the database and taken with a compare-and-set, in
 * the same transaction as the enqueue. No leader is needed.
 *
 * <pre>{@code
 * RecurringSchedule.of("nightly-report", "0 0 2 * * *", "build-report")
 *         .inZone(ZoneId.of("Europe/Paris"))
 *         .withMissedRuns(RecurringSchedule.MissedRuns.SKIP);
 * }</pre>
 *
 * @param name the schedule's unique name
 * @param cron a Spring cron expression (six fields, seconds first, or a macro such as {@code @hourly})
 * @param zone the time zone the expression is read in
 * @param type the job type enqueued at each tick
 * @param payload the payload of each job, or {@code null}
 * @param options how each job is enqueued
 * @param missedRuns what happens to ticks missed while no node was running
 */
public record RecurringSchedule(String name, String cron, ZoneId zone, String type, @Nullable Object payload,
		EnqueueOptions options, MissedRuns missedRuns) {

	/** What happens to ticks that passed while no node was running the schedule. */
	public enum MissedRuns {

		/** Enqueue one job for all the missed ticks together, then carry on. */
		RUN_ONCE,
		/** Enqueue nothing for ticks more than a minute late; carry on from the next tick. */
		SKIP

	}

	/**
	 * Checks the schedule; {@code payload} may be {@code null}, every other component must be set.
	 * @throws IllegalArgumentException when the name or type is null, blank or longer than 255 characters
	 * @throws InvalidSettingException when the cron expression is not valid, or the cron expression, zone, options
	 * or missed-runs policy is {@code null}
	 */
	public RecurringSchedule {
		if (name == null || name.isBlank() || name.length() > 255) {
			throw new IllegalArgumentException("Recurring schedule name must be 1 to 255 characters, was '" + name + "'");
		}
		if (cron == null || !CronExpression.isValidExpression(cron)) {
			throw new InvalidSettingException("cron",
					"must be a Spring cron expression (six fields, seconds first, or a macro like @hourly), was '"
							+ cron + "'",
					"Invalid cron expression '" + cron + "' for recurring schedule '" + name + "': use six fields"
							+ " (second minute hour day-of-month month day-of-week) or a macro like @hourly");
		}
		InvalidSettingException.requireNonNull("zone", zone);
		JobQueue.validateType(type);
		InvalidSettingException.requireNonNull("options", options);
		InvalidSettingException.requireNonNull("missedRuns", missedRuns);
	}

	/** A schedule in the JVM's default zone that runs missed ticks once. */
	public static RecurringSchedule of(String name, String cron, String type) {
		return new RecurringSchedule(name, cron, ZoneId.systemDefault(), type, null, EnqueueOptions.defaults(),
				MissedRuns.RUN_ONCE);
	}

	/**
	 * A copy whose cron expression is read in {@code zone}; a stored schedule whose zone changes starts again
	 * from its next tick.
	 * @throws InvalidSettingException when {@code zone} is {@code null}
	 */
	public RecurringSchedule inZone(ZoneId zone) {
		return new RecurringSchedule(this.name, this.cron, zone, this.type, this.payload, this.options, this.missedRuns);
	}

	/** A copy whose jobs carry {@code payload}, written as JSON at each tick; {@code null} for none. */
	public RecurringSchedule withPayload(Object payload) {
		return new RecurringSchedule(this.name, this.cron, this.zone, this.type, payload, this.options, this.missedRuns);
	}

	/**
	 * A copy whose jobs are enqueued with {@code options} (queue, priority, unique key and so on).
	 * @throws InvalidSettingException when {@code options} is {@code null}
	 */
	public RecurringSchedule withOptions(EnqueueOptions options) {
		return new RecurringSchedule(this.name, this.cron, this.zone, this.type, this.payload, options, this.missedRuns);
	}

	/**
	 * A copy that treats ticks missed while no node ran it as {@code missedRuns} says (the default is
	 * {@link MissedRuns#RUN_ONCE}).
	 * @throws InvalidSettingException when {@code missedRuns} is {@code null}
	 */
	public RecurringSchedule withMissedRuns(MissedRuns missedRuns) {
		return new RecurringSchedule(this.name, this.cron, this.zone, this.type, this.payload, this.options, missedRuns);
	}

	/** The parsed expression. */
	public CronExpression expression() {
		return CronExpression.parse(this.cron);
	}

}
