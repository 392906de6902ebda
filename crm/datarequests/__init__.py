"""datarequests"""
