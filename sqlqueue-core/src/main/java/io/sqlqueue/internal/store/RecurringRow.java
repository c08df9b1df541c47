package io.sqlqueue.internal.store;

import java.time.Instant;

/**
 * A recurring schedule's stored state, read with the database's current time.
 *
 * @param cron the cron expression stored
 * @param zone the time zone id stored
 * @param nextRunAt the tick due next
 * @param now the database's time at the read
 */
public record RecurringRow(String cron, String zone, Instant nextRunAt, Instant now) {
}
