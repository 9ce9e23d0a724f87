"""paper_a"""
