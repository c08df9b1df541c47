package io.sqlqueue.spring;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.javapoet.ClassName;

import io.sqlqueue.JobContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ahead-of-time processing registers what a native image needs for {@code @JobHandler} methods (the method, its
 * payload and result types for Jackson binding) and for the migrations.
 */
class JobHandlerRuntimeHintsTests {

	record Address(String street) {
	}

	record Invoice(String number, Address billedTo) {
	}

	record Receipt(String number) {
	}

	record Unrelated(String text) {
	}

	static class Billing {

		@JobHandler("bill")
		Receipt bill(JobContext context, Invoice invoice) {
			return new Receipt(invoice.number());
		}

		@JobHandler("batch")
		void batch(List<Invoice> invoices) {
		}

		void notAHandler(Unrelated unrelated) {
		}

	}

	@Test
	void registersHandlerMethodsAndTheirPayloadAndResultTypesForBinding() throws Exception {
		RuntimeHints hints = process(Billing.class);

		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(Billing.class.getDeclaredMethod("bill", JobContext.class, Invoice.class))).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Invoice.class)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Address.class)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Invoice.class.getMethod("number")))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Receipt.class)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Unrelated.class)).rejects(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(JobContext.class)).rejects(hints);
	}

	@Test
	void beansWithoutHandlersContributeNothing() {
		assertThat(contribution(Unrelated.class)).isNull();
	}

	@Test
	void theProcessorAndTheMigrationHintsAreRegisteredForAot() {
		assertThat(AotServices.factories().load(BeanRegistrationAotProcessor.class))
			.hasAtLeastOneElementOfType(JobHandlerBeanRegistrationAotProcessor.class);
		RuntimeHints hints = new RuntimeHints();
		new SqlQueueRuntimeHints().registerHints(hints, getClass().getClassLoader());
		assertThat(RuntimeHintsPredicates.resource().forResource("db/sqlqueue/postgresql/V1__create_job_table.sql"))
			.accepts(hints);
	}

	private static RuntimeHints process(Class<?> beanClass) {
		DefaultGenerationContext context = new DefaultGenerationContext(
				new ClassNameGenerator(ClassName.get("com.example", "Test")), new InMemoryGeneratedFiles());
		contribution(beanClass).applyTo(context, null);
		return context.getRuntimeHints();
	}

	private static BeanRegistrationAotContribution contribution(Class<?> beanClass) {
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerBeanDefinition("bean", new RootBeanDefinition(beanClass));
		return new JobHandlerBeanRegistrationAotProcessor().processAheadOfTime(RegisteredBean.of(beanFactory, "bean"));
	}

}
