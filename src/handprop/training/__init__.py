"""Many steps of gradient descent: steppers behind one interface, the history."""
