package io.sqlqueue.spring;

import java.lang.reflect.Method;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.InvalidSettingException;
import io.sqlqueue.RecurringSchedule;
import io.sqlqueue.worker.Backoff;
import io.sqlqueue.worker.HandlerSpec;

/**
 * Finds {@link JobHandler} methods on beans, checks them, and hands them to the
 * {@link JobHandlerRegistry} once every singleton exists. A method with an unusable signature or
 * attribute, or a second handler for one job type, fails startup with a message naming the bean
 * and the method.
 */
public class JobHandlerAnnotationBeanPostProcessor
		implements BeanPostProcessor, BeanFactoryAware, SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(JobHandlerAnnotationBeanPostProcessor.class);

	/** The attributes named otherwise than the core settings they set. */
	private static final Map<String, String> ATTRIBUTES_BY_SETTING = Map.of("policy", "backoff", "base", "backoffBase",
			"max", "backoffMax", "jitter", "backoffJitter");

	private ConfigurableBeanFactory beanFactory;

	private final Map<String, JobHandlerEndpoint> endpoints = new LinkedHashMap<>();

	private final Set<Class<?>> classesWithoutHandlers = ConcurrentHashMap.newKeySet();

	private volatile boolean handedOver;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = (beanFactory instanceof ConfigurableBeanFactory configurable) ? configurable : null;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		if (this.classesWithoutHandlers.contains(targetClass)) {
			return bean;
		}
		Map<Method, JobHandler> methods = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<JobHandler>) (method) -> AnnotatedElementUtils
					.findMergedAnnotation(method, JobHandler.class));
		if (methods.isEmpty()) {
			this.classesWithoutHandlers.add(targetClass);
			return bean;
		}
		methods.forEach((method, annotation) -> add(endpoint(bean, beanName, method, annotation)));
		return bean;
	}

	private synchronized void add(JobHandlerEndpoint endpoint) {
		String type = endpoint.spec().type();
		JobHandlerEndpoint existing = this.endpoints.get(type);
		if (existing != null) {
			if (existing.beanName().equals(endpoint.beanName()) && existing.method().equals(endpoint.method())) {
				return;
			}
			throw new BeanInitializationException("Job type '" + type + "' has two @JobHandler methods: "
					+ existing.describe() + " and " + endpoint.describe() + ". A job type has exactly one handler.");
		}
		this.endpoints.put(type, endpoint);
		if (this.handedOver) {
			// the worker is built from what was found when the singletons were created
			logger.warn("@JobHandler " + endpoint.describe() + " was found after startup (a lazy or prototype bean?) "
					+ "and will not run: declare it on a non-lazy singleton bean");
		}
	}

	/** The handlers found so far. */
	public synchronized List<JobHandlerEndpoint> endpoints() {
		return new ArrayList<>(this.endpoints.values());
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.handedOver = true;
		JobHandlerRegistry registry = this.beanFactory.getBeanProvider(JobHandlerRegistry.class).getIfAvailable();
		if (registry != null) {
			registry.register(endpoints());
		}
	}

	private JobHandlerEndpoint endpoint(Object bean, String beanName, Method method, JobHandler annotation) {
		String where = "@JobHandler on bean '" + beanName + "' method " + method.getDeclaringClass().getSimpleName()
				+ "." + method.getName() + "(..)";
		try {
			Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
			String type = resolve(annotation.value());
			if (type == null) {
				throw new IllegalArgumentException("it names no job type: write @JobHandler(\"my-job-type\")");
			}
			MethodJobHandler handler;
			try {
				handler = MethodJobHandler.of(bean, invocable);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("unusable signature: " + ex.getMessage(), ex);
			}
			String queue = resolve(annotation.queue());
			Integer maxAttempts = parse(annotation.maxAttempts(), "maxAttempts", Integer::valueOf);
			Duration timeout = parse(annotation.timeout(), "timeout", DurationStyle::detectAndParse);
			HandlerSpec<?> spec = HandlerSpec.of(type, handler.payloadType(), handler)
				.onQueue(queue)
				.withMaxAttempts(maxAttempts)
				.withTimeout(timeout);
			return new JobHandlerEndpoint(beanName, method, spec, backoff(annotation), schedule(annotation, type, queue));
		}
		catch (InvalidSettingException ex) {
			throw new BeanInitializationException(
					where + " is invalid: " + attribute(ex.setting()) + " " + ex.problem(), ex);
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			throw new BeanInitializationException(where + " is invalid: " + ex.getMessage(), ex);
		}
	}

	/** The attribute that sets the core's {@code setting}. */
	private static String attribute(String setting) {
		return ATTRIBUTES_BY_SETTING.getOrDefault(setting, setting);
	}

	/**
	 * The backoff values the annotation sets. Values wrong whatever the queue's backoff are refused here, the rest
	 * when the worker is built and the queue's backoff is known.
	 */
	private Backoff.Overrides backoff(JobHandler annotation) {
		Backoff.Policy policy = parse(annotation.backoff(), "backoff",
				(value) -> SettingValues.enumValue("backoff", value, Backoff.Policy.class));
		Duration base = parse(annotation.backoffBase(), "backoffBase", DurationStyle::detectAndParse);
		Duration max = parse(annotation.backoffMax(), "backoffMax", DurationStyle::detectAndParse);
		Double jitter = parse(annotation.backoffJitter(), "backoffJitter", Double::valueOf);
		return new Backoff.Overrides(policy, base, max, jitter);
	}

	private RecurringSchedule schedule(JobHandler annotation, String type, String queue) {
		String cron = resolve(annotation.cron());
		if (cron == null) {
			if (resolve(annotation.zone()) != null || resolve(annotation.missedRuns()) != null) {
				throw new IllegalArgumentException("zone and missedRuns apply only to a handler with a cron");
			}
			return null;
		}
		ZoneId zone = parse(annotation.zone(), "zone", (value) -> SettingValues.zone("zone", value));
		RecurringSchedule.MissedRuns missedRuns = parse(annotation.missedRuns(), "missedRuns",
				(value) -> SettingValues.enumValue("missedRuns", value, RecurringSchedule.MissedRuns.class));
		RecurringSchedule schedule = RecurringSchedule.of(type, cron, type);
		if (zone != null) {
			schedule = schedule.inZone(zone);
		}
		if (missedRuns != null) {
			schedule = schedule.withMissedRuns(missedRuns);
		}
		if (queue != null) {
			schedule = schedule.withOptions(EnqueueOptions.defaults().withQueue(queue));
		}
		return schedule;
	}

	private String resolve(String value) {
		String resolved = (this.beanFactory != null) ? this.beanFactory.resolveEmbeddedValue(value) : value;
		return (resolved == null || resolved.isBlank()) ? null : resolved.trim();
	}

	/**
	 * {@code raw} resolved and read by {@code parser}, {@code null} when empty. A refusal that names its setting
	 * passes as it is; any other failure names the attribute and the value.
	 */
	private <T> T parse(String raw, String attribute, Function<String, T> parser) {
		String value = resolve(raw);
		if (value == null) {
			return null;
		}
		try {
			return parser.apply(value);
		}
		catch (InvalidSettingException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException(attribute + " = '" + value + "' cannot be read ("
					+ ex.getClass().getSimpleName() + ": " + ex.getMessage() + ")", ex);
		}
	}

}
