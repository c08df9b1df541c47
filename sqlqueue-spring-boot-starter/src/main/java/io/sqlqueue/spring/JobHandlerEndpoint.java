package io.sqlqueue.spring;

import java.lang.reflect.Method;
import java.time.Duration;

import io.sqlqueue.RecurringSchedule;
import io.sqlqueue.worker.Backoff;
import io.sqlqueue.worker.HandlerSpec;

/**
 * A {@link JobHandler} method found on a bean: the handler it became and, for a {@code cron}
 * handler, its schedule.
 *
 * @param beanName the bean the method belongs to
 * @param method the annotated method
 * @param spec the handler registered with the worker
 * @param backoff backoff values the annotation sets, over the queue's backoff; {@code null} when it sets none
 * @param schedule the recurring schedule, or {@code null}
 */
public record JobHandlerEndpoint(String beanName, Method method, HandlerSpec<?> spec, BackoffOverride backoff,
		RecurringSchedule schedule) {

	/**
	 * Backoff values set on a {@link JobHandler}; each {@code null} one is taken from the queue.
	 *
	 * @param policy how the delay grows, or {@code null}
	 * @param base the first delay, or {@code null}
	 * @param max the largest delay, or {@code null}
	 * @param jitter the random spread, or {@code null}
	 */
	public record BackoffOverride(Backoff.Policy policy, Duration base, Duration max, Double jitter) {

		/** These values over {@code queueBackoff}. */
		public Backoff over(Backoff queueBackoff) {
			return new Backoff((this.policy != null) ? this.policy : queueBackoff.policy(),
					(this.base != null) ? this.base : queueBackoff.base(),
					(this.max != null) ? this.max : queueBackoff.max(),
					(this.jitter != null) ? this.jitter : queueBackoff.jitter());
		}

	}

	/** The handler with its final backoff, given the backoff of its queue. */
	public HandlerSpec<?> specWithQueueBackoff(Backoff queueBackoff) {
		return (this.backoff != null) ? this.spec.withBackoff(this.backoff.over(queueBackoff)) : this.spec;
	}

	/** {@code beanName.method(..)}, for messages. */
	public String describe() {
		return "bean '" + this.beanName + "' method " + this.method.getDeclaringClass().getSimpleName() + "."
				+ this.method.getName() + "(..)";
	}

}
