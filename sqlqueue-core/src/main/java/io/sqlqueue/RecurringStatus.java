package io.sqlqueue;

import java.time.Instant;

/**
 * A recurring schedule as the database holds it, shared by every node: the cron and zone it was last stored with,
 * its next tick and the job enqueued for its last one.
 *
 * <pre>{@code
 * jobQueue.recurringSchedules().forEach((s) -> log.info("{} next at {}", s.name(), s.nextRunAt()));
 * }</pre>
 *
 * @param name the schedule's name
 * @param cron its cron expression (six fields, seconds first)
 * @param zone the time zone its cron is read in
 * @param nextRunAt its next tick (database clock)
 * @param lastJobId the job enqueued for its last tick, or {@code null} before the first
 */
public record RecurringStatus(String name, String cron, String zone, Instant nextRunAt, Long lastJobId) {
}
