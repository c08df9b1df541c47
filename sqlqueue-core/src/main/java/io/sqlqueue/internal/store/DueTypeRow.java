package io.sqlqueue.internal.store;

import java.time.Duration;

/**
 * Due READY jobs of one type on one queue.
 *
 * @param queue the queue
 * @param type the job type
 * @param jobs how many are due
 * @param oldestWaiting how long the oldest has been due (database clock)
 */
public record DueTypeRow(String queue, String type, long jobs, Duration oldestWaiting) {
}
