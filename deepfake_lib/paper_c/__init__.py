"""paper_c"""
