package io.sqlqueue.internal.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.JobRequest;
import io.sqlqueue.RecurringSchedule;
import io.sqlqueue.RecurringSchedule.MissedRuns;
import io.sqlqueue.internal.QueueServices;
import io.sqlqueue.internal.store.JobStore;
import io.sqlqueue.internal.store.RecurringRow;

/**
 * Enqueues the jobs of recurring schedules. Every node checks every schedule each second; the
 * node whose compare-and-set moves the stored next tick forward enqueues the tick's job in the
 * same transaction, so a tick is enqueued exactly once.
 */
public final class RecurringScheduler {

	private static final Logger logger = LoggerFactory.getLogger(RecurringScheduler.class);

	/** Under {@link MissedRuns#SKIP}, ticks later than this are skipped. */
	static final Duration SKIP_AFTER = Duration.ofMinutes(1);

	private final QueueServices services;

	private final List<RecurringSchedule> schedules;

	public RecurringScheduler(QueueServices services, List<RecurringSchedule> schedules) {
		this.services = services;
		this.schedules = List.copyOf(schedules);
	}

	public boolean isEmpty() {
		return this.schedules.isEmpty();
	}

	/** Checks every schedule once. */
	public void tick() {
		for (RecurringSchedule schedule : this.schedules) {
			try {
				tick(schedule);
			}
			catch (RuntimeException ex) {
				logger.warn("sqlqueue recurring schedule '{}' could not be checked; it will be retried: {}",
						schedule.name(), ex.getMessage());
			}
		}
	}

	/**
	 * Checks one schedule.
	 * @return the id of the job enqueued for a due tick, if this node enqueued one
	 */
	public Optional<Long> tick(RecurringSchedule schedule) {
		JobStore store = this.services.store();
		String zone = schedule.zone().getId();
		Optional<RecurringRow> stored = store.recurringGet(schedule.name());
		if (stored.isEmpty()) {
			store.recurringInsert(schedule.name(), schedule.cron(), zone, next(schedule, store.databaseNow()));
			return Optional.empty();
		}
		RecurringRow row = stored.get();
		if (!row.cron().equals(schedule.cron()) || !row.zone().equals(zone)) {
			// the schedule changed since it was stored: start again from now
			store.recurringAdvance(schedule.name(), row.nextRunAt(), next(schedule, row.now()), schedule.cron(), zone);
			return Optional.empty();
		}
		if (row.nextRunAt().isAfter(row.now())) {
			return Optional.empty();
		}
		Instant following = next(schedule, row.now());
		boolean late = Duration.between(row.nextRunAt(), row.now()).compareTo(SKIP_AFTER) > 0;
		boolean enqueue = schedule.missedRuns() == MissedRuns.RUN_ONCE || !late;
		return store.inTransaction(() -> {
			if (!store.recurringAdvance(schedule.name(), row.nextRunAt(), following, schedule.cron(), zone)) {
				return Optional.<Long>empty(); // another node took this tick
			}
			if (!enqueue) {
				logger.info("sqlqueue skipped the missed tick {} of recurring schedule '{}'", row.nextRunAt(),
						schedule.name());
				return Optional.<Long>empty();
			}
			long id = this.services.enqueuer()
				.enqueue(List.of(new JobRequest(schedule.type(), schedule.payload(), schedule.options()
					.withMetadata("sqlqueue.recurring", schedule.name())
					.withMetadata("sqlqueue.tick", row.nextRunAt().toString()))), true)
				.get(0);
			store.recurringSetLastJob(schedule.name(), id);
			return Optional.of(id);
		});
	}

	private static Instant next(RecurringSchedule schedule, Instant after) {
		ZonedDateTime next = schedule.expression().next(after.atZone(schedule.zone()));
		if (next == null) {
			throw new IllegalStateException("Cron expression '" + schedule.cron() + "' of recurring schedule '"
					+ schedule.name() + "' has no future tick");
		}
		return next.toInstant();
	}

}
