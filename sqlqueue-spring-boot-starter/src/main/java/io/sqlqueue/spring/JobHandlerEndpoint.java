package io.sqlqueue.spring;

import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;

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
 * @param backoff backoff values the annotation sets, over the queue's backoff; {@link Backoff.Overrides#NONE}
 * when it sets none
 * @param schedule the recurring schedule, or {@code null}
 */
public record JobHandlerEndpoint(String beanName, Method method, HandlerSpec<?> spec, Backoff.Overrides backoff,
		@Nullable RecurringSchedule schedule) {

	/**
	 * The handler with its final backoff, given the backoff of its queue.
	 * @throws io.sqlqueue.InvalidSettingException when the annotation's backoff values do not fit the queue's
	 */
	public HandlerSpec<?> specWithQueueBackoff(Backoff queueBackoff) {
		return this.backoff.isEmpty() ? this.spec : this.spec.withBackoff(this.backoff.over(queueBackoff));
	}

	/** {@code beanName.method(..)}, for messages. */
	public String describe() {
		return "bean '" + this.beanName + "' method " + this.method.getDeclaringClass().getSimpleName() + "."
				+ this.method.getName() + "(..)";
	}

}
