package io.sqlqueue;

import java.time.Duration;

/**
 * Due jobs of a type that no running worker node can run on their queue: during a rolling deploy, the jobs
 * of a new type wait for the nodes that have its handler instead of dying on the nodes that do not; jobs that
 * wait long are a type whose handler is missing everywhere (a node not deployed, a handler removed, a typo
 * in the type). They stay READY until a node with the handler runs them, or they are killed or cancelled.
 *
 * @param queue the queue they are on
 * @param type their job type
 * @param jobs how many are due
 * @param oldestWaiting how long the oldest has been due
 */
public record UnhandledJobs(String queue, String type, long jobs, Duration oldestWaiting) {
}
