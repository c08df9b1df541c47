package io.sqlqueue.sample;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.sqlqueue.JobContext;
import io.sqlqueue.sample.ShopJobs.ErpSync;
import io.sqlqueue.sample.ShopJobs.Label;
import io.sqlqueue.sample.ShopJobs.OrderPlaced;
import io.sqlqueue.sample.ShopJobs.PrintLabel;
import io.sqlqueue.sample.ShopJobs.ReviewReminder;
import io.sqlqueue.sample.ShopJobs.ShipOrder;
import io.sqlqueue.spring.JobHandler;

/** The shop's job handlers: each method runs the jobs of one type. */
@Component
public class ShopHandlers {

	private static final Logger logger = LoggerFactory.getLogger(ShopHandlers.class);

	private final Shop shop;

	public ShopHandlers(Shop shop) {
		this.shop = shop;
	}

	/** Confirms an order by e-mail: the order workflow's first step. */
	@JobHandler(ShopJobs.CONFIRM_ORDER)
	public void confirm(OrderPlaced order, JobContext ctx) {
		this.shop.sendEmail(order.orderId(), order.customer(),
				"Order #" + order.orderId() + " confirmed: " + order.quantity() + " x " + order.item());
		this.shop.setStatus(order.orderId(), "CONFIRMED");
		ctx.log("confirmation sent to " + order.customer());
	}

	/** Prints a shipping label on a printer that is busy the first two times: the retry succeeds. */
	@JobHandler(value = ShopJobs.PRINT_LABEL, maxAttempts = "5", backoff = "constant", backoffBase = "${sample.retry-backoff:1s}")
	public Label printLabel(PrintLabel label, JobContext ctx) {
		if (ctx.attempt() < 3) {
			throw new IllegalStateException("label printer busy (attempt " + ctx.attempt() + ")");
		}
		return new Label("LBL-" + label.orderId());
	}

	/** Ships the order with the label the step before printed (its result, read along the workflow's edge). */
	@JobHandler(ShopJobs.SHIP_ORDER)
	public void ship(ShipOrder order, JobContext ctx) {
		Label label = ctx.dependencyResult("label", Label.class);
		this.shop.sendEmail(order.orderId(), order.customer(), "Order #" + order.orderId() + " shipped, label " + label.code());
		this.shop.setStatus(order.orderId(), "SHIPPED");
	}

	/** Copies the order to the legacy ERP, which is down until switched on: these jobs end DEAD. */
	@JobHandler(value = ShopJobs.SYNC_ERP, maxAttempts = "3", backoff = "constant", backoffBase = "${sample.retry-backoff:1s}")
	public void syncErp(ErpSync sync) {
		if (!this.shop.isErpOnline()) {
			throw new IllegalStateException("legacy ERP is offline: order " + sync.orderId() + " not synced");
		}
		logger.info("order {} synced to the ERP", sync.orderId());
	}

	/** Asks for a review some time after the order (a delayed job). */
	@JobHandler(ShopJobs.REVIEW_REMINDER)
	public void remind(ReviewReminder reminder) {
		this.shop.sendEmail(reminder.orderId(), reminder.customer(), "How do you like your " + reminder.item() + "?");
	}

	/** Writes the sales report on a schedule; one job per tick however many replicas run. */
	@JobHandler(value = ShopJobs.SALES_REPORT, cron = "${sample.sales-report.cron:0 0 * * * *}")
	public void salesReport() {
		this.shop.writeSalesReport();
	}

}
