"""ServicePro's AI booking agent: understanding customer messages and answering them by SMS."""
