package io.sqlqueue.spring;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;

import io.sqlqueue.JobContext;

/**
 * Ahead-of-time processing ({@code spring-boot:process-aot}) of beans with {@link JobHandler} methods: registers
 * the reflection hints a native image needs to find and call those methods and to bind their payloads and
 * results with Jackson (the payload parameter's type and the return type, with the types they contain).
 * Registered in {@code META-INF/spring/aot.factories}.
 */
public final class JobHandlerBeanRegistrationAotProcessor implements BeanRegistrationAotProcessor {

	@Override
	public @Nullable BeanRegistrationAotContribution processAheadOfTime(RegisteredBean registeredBean) {
		Class<?> beanClass = registeredBean.getBeanClass();
		Set<Method> handlers = MethodIntrospector.selectMethods(beanClass,
				(MethodIntrospector.MetadataLookup<JobHandler>) (method) -> AnnotatedElementUtils.findMergedAnnotation(method,
						JobHandler.class))
			.keySet();
		if (handlers.isEmpty()) {
			return null;
		}
		return (generationContext, code) -> {
			ReflectionHints reflection = generationContext.getRuntimeHints().reflection();
			BindingReflectionHintsRegistrar binding = new BindingReflectionHintsRegistrar();
			reflection.registerType(beanClass, MemberCategory.INTROSPECT_DECLARED_METHODS);
			for (Method method : handlers) {
				reflection.registerMethod(method, ExecutableMode.INVOKE);
				Class<?>[] parameters = method.getParameterTypes();
				Type[] generic = method.getGenericParameterTypes();
				for (int i = 0; i < parameters.length; i++) {
					if (parameters[i] != JobContext.class) {
						binding.registerReflectionHints(reflection, generic[i]);
					}
				}
				if (method.getReturnType() != void.class) {
					binding.registerReflectionHints(reflection, method.getGenericReturnType());
				}
			}
		};
	}

}
