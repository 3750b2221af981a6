package io.github.citusjdbc.hibernate;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;

/** A purchase of a customer (a foreign key inside the tenant). */
@Entity(name = "Purchase")
public class Purchase {
    @Id
    private Long id;
    @ManyToOne
    @JoinColumn(name = "customer_id")
    private Customer customer;
    private String item;
    private String owner;

    protected Purchase() {
    }

    Purchase(long id, Customer customer, String item, String owner) {
        this.id = id;
        this.customer = customer;
        this.item = item;
        this.owner = owner;
    }

    Customer getCustomer() {
        return customer;
    }

    String getOwner() {
        return owner;
    }
}
