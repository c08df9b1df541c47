package io.sqlqueue.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.core.annotation.AliasFor;

/**
 * Marks a bean method as the handler of one job type. The method takes the payload (bound from
 * JSON to the parameter's declared type, generic types included) and optionally a
 * {@link io.sqlqueue.JobContext}, in any order; a method without a payload parameter ignores the
 * payload. A returned value is stored as the job's result. Throwing retries the job with backoff;
 * {@link io.sqlqueue.NonRetryableJobException} dead-letters it at once.
 *
 * <pre>{@code
 * @JobHandler(value = "send-email", queue = "mail", maxAttempts = "${mail.attempts:5}")
 * void send(SendEmail email, JobContext context) { ... }
 *
 * @JobHandler(value = "nightly-report", cron = "0 0 2 * * *", zone = "Europe/Paris")
 * void nightly() { ... }
 * }</pre>
 *
 * <p>Every attribute accepts property placeholders ({@code ${...}}). Empty attributes fall back to
 * the queue's settings ({@code sqlqueue.queues.<name>.*}, then {@code sqlqueue.defaults.*}).
 */
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface JobHandler {

	/** The job type this method handles; alias of {@link #type()}. */
	@AliasFor("type")
	String value() default "";

	/** The job type this method handles; alias of {@link #value()}. */
	@AliasFor("value")
	String type() default "";

	/** The queue jobs of this type run on when the enqueue does not name one (default {@code default}). */
	String queue() default "";

	/** Attempts before a job of this type is dead-lettered, {@code -1} for no limit. */
	String maxAttempts() default "";

	/**
	 * How long a run may take, such as {@code 30s}: past it the handler is interrupted and the run fails with a
	 * reason naming the timeout (retried, or dead on its last attempt), whatever the lease. Empty for no limit.
	 */
	String timeout() default "";

	/** The backoff policy: {@code constant}, {@code linear} or {@code exponential}. */
	String backoff() default "";

	/** The first backoff delay, such as {@code 500ms} or {@code 2s}. */
	String backoffBase() default "";

	/** The largest backoff delay, such as {@code 10m}. */
	String backoffMax() default "";

	/** The random spread of backoff delays, from {@code 0} to {@code 1}. */
	String backoffJitter() default "";

	/**
	 * A Spring cron expression (six fields, seconds first, or a macro such as {@code @hourly}):
	 * a job of this type is enqueued at every tick, exactly once across all nodes.
	 */
	String cron() default "";

	/** The time zone the cron expression is read in (default: the JVM's). */
	String zone() default "";

	/**
	 * What happens to cron ticks missed while no node ran: {@code run-once} (default) or
	 * {@code skip}.
	 */
	String missedRuns() default "";

}
